/**
 * SHA-256 through WebCrypto: native, off the JS thread, the same in browsers, workers and Node 20.
 * A cache entry is trusted only if every chunk hashes to the digest recorded when it was written.
 */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  const bytes = new Uint8Array(digest);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, '0');
  return hex;
}

/** One digest for a list of chunk digests (the manifest's checksum). */
export function combineDigests(digests: readonly string[]): Promise<string> {
  return sha256Hex(new TextEncoder().encode(digests.join('\n')));
}
