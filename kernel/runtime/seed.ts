/**
 * `TRAM_SEED`: one integer that fixes every random draw a notebook makes without its own seed.
 *
 * TensorFlow.js has no global seed: an initialiser, `tf.randomNormal`/`randomUniform`, dropout and
 * `tf.util.shuffle` (so `model.fit`'s shuffling) draw their seed — or their numbers — from `Math.random()` when
 * none is given (tfjs-core `MPRandGauss`/`UniformRandom`: `seed ? seed : Math.random()`). Replacing
 * `Math.random` in the kernel process with a generator seeded from TRAM_SEED therefore makes weight
 * initialisation, shuffles and noise repeat exactly across restarts; explicit seeds keep working as before.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's small fast counter; 128-bit state, period ≥ 2³²), its state filled from
 * the seed by splitmix32; outputs k / 2³² ∈ [0, 1), as Math.random.
 */

/** The seed in TRAM_SEED, or undefined when unset or empty. Anything but a safe integer is an error. */
export function parseSeed(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`TRAM_SEED must be an integer (got ${JSON.stringify(raw)}): set the tram.seed setting or --seed to a whole number, or leave it empty for a new seed each start`);
  }
  return n;
}

/** A Math.random replacement determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let s = (seed >>> 0) ^ Math.floor(seed / 4294967296) * 0x9e3779b9;
  const splitmix32 = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32(), b = splitmix32(), c = splitmix32(), d = splitmix32();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the initial state
  return next;
}

/** Seeds Math.random from TRAM_SEED when it is set; returns the seed in use (undefined: unseeded). */
export function installSeed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const seed = parseSeed(env.TRAM_SEED);
  if (seed !== undefined) Math.random = seededRandom(seed);
  return seed;
}
