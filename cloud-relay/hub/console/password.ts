// Staff passwords: scrypt with a random salt, compared in constant time. The text of a password
// is never stored, logged or echoed; only this module sees it.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type ScryptCost = { N: number; r: number; p: number };

/** OWASP's figure for scrypt (2^17, 8, 1): about 128 MiB and a few hundred ms per hash. */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LEN = 32;
/** A stored hash asking for more memory than this is a doctored row, not a cost we chose. */
const MAX_MEM = 256 * 1024 * 1024;
/**
 * Hashes at once. Each holds 128·N·r bytes (128 MiB at 2^17) on one of libuv's four threads:
 * two at a time bound the memory and leave threads for the rest of the hub.
 */
const PARALLEL = 2;

let running = 0;
const waiting: (() => void)[] = [];

async function fewAtATime<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => waiting.push(r));
  else running++;
  try {
    return await fn();
  } finally {
    // The slot passes straight to the next in line, so `running` counts it still.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

// OpenSSL needs 128·r·(N + p + 2) bytes: the N blocks of V, the p blocks of B and two more.
const memoryOf = (c: ScryptCost) => 128 * c.r * (c.N + c.p + 2);

function derive(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  return fewAtATime(
    () =>
      new Promise((resolve, reject) =>
        scrypt(
          password.normalize('NFKC'),
          salt,
          KEY_LEN,
          { ...c, maxmem: memoryOf(c) + 1024 * 1024 },
          (err, key) => (err ? reject(err) : resolve(key)),
        ),
      ),
  );
}

const encode = (c: ScryptCost, salt: Buffer, key: Buffer) =>
  ['scrypt', c.N, c.r, c.p, salt.toString('base64url'), key.toString('base64url')].join('$');

export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  return encode(cost, salt, await derive(password, salt, cost));
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | null {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    alg === 'scrypt' &&
    salt &&
    hash &&
    Object.values(cost).every((v) => Number.isSafeInteger(v) && v > 0) &&
    memoryOf(cost) <= MAX_MEM;
  return sane ? { cost, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') } : null;
}

/** A stored hash this module cannot read never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const s = parse(stored);
  if (!s) return false;
  const got = await derive(password, s.salt, s.cost).catch(() => null);
  return got !== null && got.length === s.hash.length && timingSafeEqual(got, s.hash);
}

/** A hash made at a lower cost than `cost`: rewritten once its password is next given. */
export function weakerThan(stored: string, cost: ScryptCost): boolean {
  const s = parse(stored);
  const work = (c: ScryptCost) => c.N * c.r * c.p;
  return s !== null && work(s.cost) < work(cost);
}

/**
 * Checked against for an unknown name, at the cost of a real hash, so that the answer's timing
 * does not tell which names exist. Its key is no password's: a zero salt and a zero key.
 */
export const dummyHash = (cost: ScryptCost): string => encode(cost, Buffer.alloc(16), Buffer.alloc(KEY_LEN));
