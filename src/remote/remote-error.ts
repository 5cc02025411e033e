/**
 * Errors of a remote engine, always naming the engine's URL and what happened, so a user reading
 * the element's error state knows whether to check the network, the credentials or the query.
 */

export type RemoteErrorKind =
  /** No HTTP answer at all: DNS, refused connection, CORS rejection, proxy down. */
  | 'unreachable'
  /** The engine answered 401/403 (or a readonly violation): credentials or grants. */
  | 'refused'
  /** The query ran past its time limit (client side or the engine's max_execution_time). */
  | 'timeout'
  /** The engine answered with an error about the query itself (ClickHouse's text is kept). */
  | 'query'
  /** The answer was not what the engine's format promises. */
  | 'protocol';

export class RemoteEngineError extends Error {
  override readonly name = 'RemoteEngineError';
  constructor(
    readonly kind: RemoteErrorKind,
    /** The engine's base URL, without credentials. */
    readonly engine: string,
    message: string,
    readonly details: { readonly status?: number; readonly code?: number; readonly serverText?: string; readonly queryId?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The DOMException fetch and AbortSignal use, so callers can test `err.name === 'AbortError'`. */
export function abortError(reason?: unknown): Error {
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The query was cancelled.', 'AbortError');
}
