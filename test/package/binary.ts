/**
 * Which platform a native binary is for, from its header (not its file name):
 *   ELF (7f 'ELF'):   e_machine at byte 18: 0x3e x64, 0xb7 arm64                         → linux
 *   Mach-O (cf fa ed fe, 64-bit little-endian): cputype at byte 4: 0x01000007 x64, 0x0100000c arm64 → darwin
 *   Mach-O universal (ca fe ba be): one cputype per slice, big-endian, at 8 + 20·i
 *   PE ('MZ', then 'PE\0\0' at the offset in byte 0x3c): machine 0x8664 x64, 0xaa64 arm64, 0x14c ia32 → win32
 */
export interface BinaryPlatform {
  os: 'linux' | 'darwin' | 'win32' | 'unknown';
  /** Architectures in the file (several for a universal Mach-O). */
  archs: string[];
}

const ELF: Record<number, string> = { 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'arm', 0x03: 'ia32' };
const MACHO: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64', 7: 'ia32' };
const PE: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' };

export function binaryPlatform(b: Buffer): BinaryPlatform {
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46) return { os: 'linux', archs: [ELF[b.readUInt16LE(18)] ?? `elf-${b.readUInt16LE(18)}`] };
  if (b.length >= 8 && b.readUInt32LE(0) === 0xfeedfacf) return { os: 'darwin', archs: [MACHO[b.readUInt32LE(4)] ?? `macho-${b.readUInt32LE(4)}`] };
  if (b.length >= 8 && b.readUInt32BE(0) === 0xcafebabe) {
    const n = b.readUInt32BE(4);
    const archs: string[] = [];
    for (let i = 0; i < n; i++) archs.push(MACHO[b.readUInt32BE(8 + 20 * i)] ?? `macho-${b.readUInt32BE(8 + 20 * i)}`);
    return { os: 'darwin', archs };
  }
  if (b.length >= 0x40 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (b.length >= pe + 6 && b.readUInt32BE(pe) === 0x50450000) return { os: 'win32', archs: [PE[b.readUInt16LE(pe + 4)] ?? `pe-${b.readUInt16LE(pe + 4)}`] };
  }
  return { os: 'unknown', archs: [] };
}
