// The one retry policy: every retry loop (Connection calls, anonymous calls,
// the resume of a cut download, the service's container delete) asks this
// pure function what to do after a failed try.
import { ClientException, NetworkError } from '../errors.js';
import { parseRetryAfter, retryDelay } from '../http/retry.js';

/** Where a try failed: logging in, or the request itself. */
export type Phase = 'auth' | 'request';

/** How a connection logs in; decides what a refusal means. */
export type AuthStyle =
  /** tempauth / swauth: a 401 at login is tried once more, as python does. */
  | 'v1'
  /** Keystone credentials or a session: a refused login is final. */
  | 'keystone'
  /** No way to log in (a preauth token only, or an anonymous request). */
  | 'none';

/** What happened on one try. */
export type Outcome =
  /** No HTTP answer: refused, reset, DNS, TLS, timeout. */
  | { kind: 'network'; phase: Phase }
  /** An HTTP error status; `retryAfter` in seconds when the server asked. */
  | { kind: 'status'; phase: Phase; status: number; retryAfter?: number | undefined }
  /** A streamed download broke after its headers (resumable with Range). */
  | { kind: 'cut-body' }
  /** Nothing a retry can mend: bad input, a checksum, a request that took effect, a caller's error. */
  | { kind: 'final' };

/** The retry options of a connection (or of one call). */
export interface RetrySettings {
  /** Retries after the first try. */
  retries: number;
  /** Seconds before the first retry. */
  startingBackoff: number;
  /** Longest wait between retries, seconds. */
  maxBackoff: number;
  /** Retry 429 and 498. */
  retryOnRatelimit: boolean;
  /** Forget the tokens before every retry. */
  forceAuthRetry: boolean;
  /**
   * Which failures are worth another try: `transient` (network, 5xx, 408,
   * 499, rate limits; the default), or `conflict` (a 409 only: a container
   * emptied a moment ago whose listing lags).
   */
  retryOn?: 'transient' | 'conflict' | undefined;
}

/** What the loop knows about the call so far. */
export interface RetryState {
  /** Tries made so far, the failed one included. */
  attempts: number;
  /** The backoff in seconds for the next wait (starts at `startingBackoff`). */
  backoff: number;
  /** The call already used its one re-authentication. */
  reauthed: boolean;
  authStyle: AuthStyle;
  /** Another call replaced the token this try sent (a new one is there, or being fetched). */
  tokenRenewed: boolean;
  /** The upload body, if any, can be sent again. */
  replayable: boolean;
  /** A random number in [0, 1) for the jitter. */
  random: number;
}

/** Why the loop stops. */
export type GiveUpReason = 'final' | 'refused' | 'exhausted' | 'not-retryable' | 'one-shot-body';

export type Decision =
  /** Try again after `delay` seconds (0: at once); `forgetTokens` first when forceAuthRetry. */
  | { action: 'retry'; delay: number; nextBackoff: number; forgetTokens: boolean; reauthed: boolean }
  /** Forget the token, log in again, retry at once (unless the session says it cannot). */
  | { action: 'reauth'; nextBackoff: number }
  /** Stop with the error; `invalidate`: forget the refused token first (python does). */
  | { action: 'give-up'; why: GiveUpReason; invalidate: boolean };

const RETRIED_STATUSES = (status: number): boolean => status === 408 || status === 499 || (status >= 500 && status <= 599);
const RATELIMIT_STATUSES = (status: number): boolean => status === 429 || status === 498;

/** The outcome of a thrown error, for {@link decide}. */
export function outcomeOf(err: unknown, phase: Phase, tookEffect = false): Outcome {
  if (tookEffect || !(err instanceof ClientException)) return { kind: 'final' };
  if (err instanceof NetworkError) return { kind: 'network', phase };
  if (err.httpStatus === undefined) return { kind: 'final' };
  return { kind: 'status', phase, status: err.httpStatus, retryAfter: parseRetryAfter(err.httpResponseHeaders?.['retry-after']) };
}

/**
 * What to do after a failed try, as python-swiftclient's `_retry` decides
 * it, with one re-authentication on 401, Retry-After and jitter.
 */
export function decide(outcome: Outcome, state: RetryState, settings: RetrySettings): Decision {
  const nextBackoff = Math.min(state.backoff * 2, settings.maxBackoff);
  const giveUp = (why: GiveUpReason, invalidate = false): Decision => ({ action: 'give-up', why, invalidate });
  const wait = (retryAfter?: number): Decision =>
    state.replayable
      ? {
          action: 'retry',
          delay: retryDelay(state.backoff, settings.maxBackoff, retryAfter, state.random),
          nextBackoff,
          forgetTokens: settings.forceAuthRetry,
          reauthed: state.reauthed,
        }
      : giveUp('one-shot-body');
  const exhausted = state.attempts > settings.retries;

  if (outcome.kind === 'final') return giveUp('final');
  if (outcome.kind === 'cut-body') return exhausted ? giveUp('exhausted') : { action: 'retry', delay: 0, nextBackoff: state.backoff, forgetTokens: false, reauthed: state.reauthed };
  if (settings.retryOn === 'conflict') {
    return outcome.kind === 'status' && outcome.status === 409 && !exhausted ? wait() : giveUp('not-retryable');
  }
  if (outcome.kind === 'network') return exhausted ? giveUp('exhausted') : wait();

  const { status, phase } = outcome;
  if (status === 401) {
    // Keystone refused the credentials themselves: a second login would be refused too.
    if (phase === 'auth' && state.authStyle !== 'v1') return giveUp('refused');
    if (state.tokenRenewed) {
      // Another call already logged in again (or is at it): retry on its token rather than throwing it away.
      if (state.reauthed) return giveUp('refused');
      return state.replayable ? { action: 'retry', delay: 0, nextBackoff, forgetTokens: settings.forceAuthRetry, reauthed: true } : giveUp('one-shot-body');
    }
    if (state.reauthed || state.authStyle === 'none') return giveUp('refused', true);
    return state.replayable ? { action: 'reauth', nextBackoff } : giveUp('one-shot-body', true);
  }
  if (exhausted) return giveUp('exhausted');
  if (RETRIED_STATUSES(status)) return wait(outcome.retryAfter);
  if (RATELIMIT_STATUSES(status) && settings.retryOnRatelimit) return wait(outcome.retryAfter);
  return giveUp('not-retryable');
}
