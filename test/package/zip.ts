/**
 * Reads a .zip (a .vsix) with no dependency: the central directory gives each entry's name, sizes and the
 * offset of its local header; data is stored (method 0) or deflated (method 8). No zip64 (a .vsix is far
 * below 4 GB and 65 535 entries).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export class Zip {
  readonly entries: ZipEntry[] = [];
  private readonly buf: Buffer;

  constructor(file: string) {
    this.buf = fs.readFileSync(file);
    const b = this.buf;
    // End of central directory: signature 0x06054b50 within the last 22 + 65 535 bytes.
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65_535); i--) {
      if (b.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${file}: not a zip (no end of central directory)`);
    const count = b.readUInt16LE(eocd + 10);
    let p = b.readUInt32LE(eocd + 16);
    for (let i = 0; i < count; i++) {
      if (b.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
      const nameLen = b.readUInt16LE(p + 28);
      const extraLen = b.readUInt16LE(p + 30);
      const commentLen = b.readUInt16LE(p + 32);
      this.entries.push({
        method: b.readUInt16LE(p + 10),
        compressedSize: b.readUInt32LE(p + 20),
        size: b.readUInt32LE(p + 24),
        localOffset: b.readUInt32LE(p + 42),
        name: b.toString('utf8', p + 46, p + 46 + nameLen),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** The bytes of an entry. */
  read(e: ZipEntry): Buffer {
    const b = this.buf;
    const h = e.localOffset;
    if (b.readUInt32LE(h) !== 0x04034b50) throw new Error(`${e.name}: bad local header`);
    const start = h + 30 + b.readUInt16LE(h + 26) + b.readUInt16LE(h + 28);
    const raw = b.subarray(start, start + e.compressedSize);
    if (e.method === 0) return Buffer.from(raw);
    if (e.method === 8) return zlib.inflateRawSync(raw);
    throw new Error(`${e.name}: compression method ${e.method} not supported`);
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }
}
