/**
 * Encryption of cached chunks at rest: AES-GCM with a 256-bit key that is generated in the browser
 * as non-extractable (script can use it but never read it out) and kept in IndexedDB next to the
 * data it protects. What this defends: the files of the browser profile (a copied disk, a
 * backup) show no client data. It does not defend against script running in the page itself.
 *
 * Sealed layout: 12-byte random IV, then ciphertext with its 16-byte tag.
 */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export function createChunkKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function sealChunk(key: CryptoKey, plain: ArrayBuffer | Uint8Array): Promise<ArrayBuffer> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain as BufferSource));
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv, 0);
  out.set(ct, IV_BYTES);
  return out.buffer;
}

/** Decrypts and authenticates; a tampered or truncated chunk rejects (OperationError). */
export function openChunk(key: CryptoKey, sealed: ArrayBuffer): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(sealed);
  return crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, key, bytes.subarray(IV_BYTES));
}

export function sealedSize(plainBytes: number): number {
  return IV_BYTES + plainBytes + TAG_BYTES;
}
