// The retry loop every Connection call runs in: log in when needed, try,
// and on failure do what the pure policy (policy.ts) decides.
import type { AuthState } from '../auth/state.js';
import { ClientException } from '../errors.js';
import type { PreparedBody } from '../http/body.js';
import { sleep } from '../http/retry.js';
import type { Transport } from '../http/transport.js';
import { addResponseDict, type OpContext, type ResponseDict } from '../ops/request.js';
import { storageUrl } from '../util/checks.js';
import { decide, outcomeOf, type RetrySettings } from './policy.js';

/** One call's run through the loop. */
export interface RetryRun {
  transport: Transport;
  /** The connection's auth state; none for an anonymous request (no token, no login). */
  auth: AuthState | undefined;
  settings: RetrySettings;
  /** Operation name, for the "cannot replay" error. */
  what: string;
  signal?: AbortSignal | undefined;
  responseDict?: ResponseDict | undefined;
  /** An upload body: once a one-shot one is consumed, the call cannot be retried. */
  body?: PreparedBody | undefined;
  /** Seconds per request of this call, overriding the connection's. */
  timeout?: number | undefined;
  /** Continue counting tries from here (a resumed download). */
  startAttempts?: number | undefined;
  /** Told the call's try count before every try. */
  onAttempt?: ((attempts: number) => void) | undefined;
}

/** Runs `op` until it succeeds or the policy gives up; rejects with the last error. */
export async function withRetries<T>(op: (ctx: OpContext) => Promise<T>, run: RetryRun): Promise<T> {
  const { auth, signal } = run;
  let reauthed = false;
  let backoff = run.settings.startingBackoff;
  // Counted per call: concurrent calls on one Connection must not use up each other's retries.
  let attempts = run.startAttempts ?? 0;
  for (;;) {
    attempts += 1;
    run.onAttempt?.(attempts);
    const attemptDict: ResponseDict = {};
    let sentToken: string | undefined;
    let ctx: OpContext | undefined;
    try {
      if (signal?.aborted) throw signal.reason;
      const creds = auth ? await auth.ensure(signal) : undefined;
      sentToken = creds?.token;
      ctx = {
        transport: run.transport,
        url: creds ? storageUrl(creds.url as string) : '',
        token: creds?.token,
        serviceToken: creds?.serviceToken,
        signal,
        responseDict: attemptDict,
        timeout: run.timeout,
      };
      const result = await op(ctx);
      addResponseDict(run.responseDict, attemptDict);
      return result;
    } catch (err) {
      addResponseDict(run.responseDict, attemptDict);
      if (signal?.aborted) throw signal.reason;
      // The caller's own contents failed: theirs to see, as python raises it.
      if (run.body?.sourceFailure) throw run.body.sourceFailure.error;
      const state = {
        attempts,
        backoff,
        reauthed,
        authStyle: auth?.style ?? 'none',
        tokenRenewed: auth?.renewedSince(sentToken) ?? false,
        replayable: !run.body?.exhausted,
        random: Math.random(),
      } as const;
      const decision = decide(outcomeOf(err, ctx ? 'request' : 'auth', ctx?.tookEffect), state, run.settings);
      if (decision.action === 'give-up') {
        if (decision.invalidate) await auth?.invalidate();
        if (decision.why === 'one-shot-body' && err instanceof ClientException) {
          // The status and URL of the failure that needed the retry stay on the error.
          throw err.explained(
            `${run.what} failed and its contents were a one-shot stream that cannot be replayed for a retry (${run.body?.bytesSent ?? 0} bytes had been sent): ${err.msg}`,
          );
        }
        throw err;
      }
      backoff = decision.nextBackoff;
      if (decision.action === 'reauth') {
        if (!auth || !(await auth.invalidate())) throw err;
        reauthed = true;
        continue; // a fresh token needs no backoff
      }
      reauthed = decision.reauthed;
      if (decision.forgetTokens) auth?.forget();
      await sleep(decision.delay, signal);
    }
  }
}
