// Local broker passwords: kept only as scrypt hashes, checked in constant time.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type PasswordHash = { salt: Buffer; hash: Buffer };

const KEY_LEN = 32;
/** scrypt's default cost (N=16384): tens of milliseconds on a Pi, which also slows guessing. */
const derive = (password: Buffer | string, salt: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LEN, (err, key) => (err ? reject(err) : resolve(key))),
  );

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

export async function verifyPassword(
  password: Buffer | undefined,
  stored: PasswordHash | undefined,
): Promise<boolean> {
  // Unknown users cost as much as known ones, so timing does not tell which names exist.
  const against = stored ?? { salt: Buffer.alloc(16), hash: Buffer.alloc(KEY_LEN) };
  const key = await derive(password ?? Buffer.alloc(0), against.salt);
  return timingSafeEqual(key, against.hash) && stored !== undefined && password !== undefined;
}

/** A fresh random credential for the gateway's own tools (hearth status, tests). */
export const generatePassword = (): string => randomBytes(24).toString('base64url');
