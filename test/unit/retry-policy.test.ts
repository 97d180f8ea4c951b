import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChecksumError, ClientException, NetworkError, NotFoundError, TimeoutError, UnauthorizedError } from '../../src/index.js';
import { decide, outcomeOf, type AuthStyle, type Outcome, type RetrySettings, type RetryState } from '../../src/retry/policy.js';

const SETTINGS: RetrySettings = { retries: 2, startingBackoff: 1, maxBackoff: 8, retryOnRatelimit: true, forceAuthRetry: false };
const STATE: RetryState = { attempts: 1, backoff: 1, reauthed: false, authStyle: 'v1', tokenRenewed: false, replayable: true, random: 0 };

const status = (code: number, phase: 'auth' | 'request' = 'request', retryAfter?: number): Outcome => ({ kind: 'status', phase, status: code, retryAfter });
const network: Outcome = { kind: 'network', phase: 'request' };

/** The action, with its delay when it waits: 'retry 1', 'reauth', 'give-up exhausted'. */
function summary(outcome: Outcome, state: Partial<RetryState> = {}, settings: Partial<RetrySettings> = {}): string {
  const d = decide(outcome, { ...STATE, ...state }, { ...SETTINGS, ...settings });
  if (d.action === 'retry') return `retry ${d.delay}`;
  if (d.action === 'reauth') return 'reauth';
  return `give-up ${d.why}${d.invalidate ? ' +invalidate' : ''}`;
}

describe('retry policy: status x replayable body x attempts x ratelimit', () => {
  // [outcome, attempts, replayable, retryOnRatelimit, expected]
  const rows: Array<[string, Outcome, number, boolean, boolean, string]> = [
    ['network error, first try', network, 1, true, true, 'retry 1'],
    ['network error, retries used up', network, 3, true, true, 'give-up exhausted'],
    ['network error, one-shot body', network, 1, false, true, 'give-up one-shot-body'],
    ['500', status(500), 1, true, true, 'retry 1'],
    ['503 on the last retry', status(503), 2, true, true, 'retry 1'],
    ['503 past the last retry', status(503), 3, true, true, 'give-up exhausted'],
    ['500, one-shot body', status(500), 1, false, true, 'give-up one-shot-body'],
    ['408', status(408), 1, true, true, 'retry 1'],
    ['499', status(499), 1, true, true, 'retry 1'],
    ['429 with ratelimit retries', status(429), 1, true, true, 'retry 1'],
    ['498 with ratelimit retries', status(498), 1, true, true, 'retry 1'],
    ['429 without ratelimit retries', status(429), 1, true, false, 'give-up not-retryable'],
    ['503 with Retry-After 5', status(503, 'request', 5), 1, true, true, 'retry 5'],
    ['429 with Retry-After 3600: capped at 60', status(429, 'request', 3600), 1, true, true, 'retry 60'],
    ['400', status(400), 1, true, true, 'give-up not-retryable'],
    ['403', status(403), 1, true, true, 'give-up not-retryable'],
    ['404', status(404), 1, true, true, 'give-up not-retryable'],
    ['409', status(409), 1, true, true, 'give-up not-retryable'],
    ['413', status(413), 1, true, true, 'give-up not-retryable'],
    ['a final error', { kind: 'final' }, 1, true, true, 'give-up final'],
    ['a cut download body, tries left', { kind: 'cut-body' }, 2, true, true, 'retry 0'],
    ['a cut download body, none left', { kind: 'cut-body' }, 3, true, true, 'give-up exhausted'],
  ];
  for (const [name, outcome, attempts, replayable, retryOnRatelimit, expected] of rows) {
    test(`${name}: ${expected}`, () => {
      assert.equal(summary(outcome, { attempts, replayable }, { retryOnRatelimit }), expected);
    });
  }

  test('backoff doubles up to maxBackoff, with up to 25% jitter that never passes it', () => {
    const d = decide(network, { ...STATE, backoff: 4, random: 0.99 }, SETTINGS);
    assert.equal(d.action, 'retry');
    assert.ok(d.action === 'retry' && d.delay > 4 && d.delay <= 5 && d.nextBackoff === 8);
    const capped = decide(network, { ...STATE, backoff: 8, random: 0.99 }, SETTINGS);
    assert.ok(capped.action === 'retry' && capped.delay === 8 && capped.nextBackoff === 8);
  });

  test('retries: 0 never retries a 5xx or a network error', () => {
    assert.equal(summary(status(500), {}, { retries: 0 }), 'give-up exhausted');
    assert.equal(summary(network, {}, { retries: 0 }), 'give-up exhausted');
  });

  test('forceAuthRetry forgets the tokens before each retry', () => {
    const d = decide(status(500), STATE, { ...SETTINGS, forceAuthRetry: true });
    assert.ok(d.action === 'retry' && d.forgetTokens);
    const plain = decide(status(500), STATE, SETTINGS);
    assert.ok(plain.action === 'retry' && !plain.forgetTokens);
  });
});

describe('retry policy: 401 x auth style x phase', () => {
  // [phase, style, reauthed, tokenRenewed, replayable, expected]
  const rows: Array<['auth' | 'request', AuthStyle, boolean, boolean, boolean, string]> = [
    // a storage 401: one re-authentication when the connection can log in
    ['request', 'v1', false, false, true, 'reauth'],
    ['request', 'keystone', false, false, true, 'reauth'],
    ['request', 'none', false, false, true, 'give-up refused +invalidate'],
    ['request', 'v1', true, false, true, 'give-up refused +invalidate'],
    ['request', 'keystone', true, false, true, 'give-up refused +invalidate'],
    ['request', 'v1', false, false, false, 'give-up one-shot-body +invalidate'],
    // another call already logged in again: retry at once on its token, once
    ['request', 'keystone', false, true, true, 'retry 0'],
    ['request', 'v1', false, true, true, 'retry 0'],
    ['request', 'keystone', true, true, true, 'give-up refused'],
    ['request', 'keystone', false, true, false, 'give-up one-shot-body'],
    // the login itself refused: Keystone's refusal is final, tempauth is tried once more (python)
    ['auth', 'keystone', false, false, true, 'give-up refused'],
    ['auth', 'v1', false, false, true, 'reauth'],
    ['auth', 'v1', true, false, true, 'give-up refused +invalidate'],
  ];
  for (const [phase, authStyle, reauthed, tokenRenewed, replayable, expected] of rows) {
    test(`401 in ${phase}, ${authStyle}${reauthed ? ', re-authenticated already' : ''}${tokenRenewed ? ', token renewed elsewhere' : ''}${replayable ? '' : ', one-shot body'}: ${expected}`, () => {
      assert.equal(summary(status(401, phase), { authStyle, reauthed, tokenRenewed, replayable }), expected);
    });
  }

  test('a 401 is re-authenticated even with retries: 0 (python does)', () => {
    assert.equal(summary(status(401), { attempts: 1 }, { retries: 0 }), 'reauth');
  });

  test("a login's server error is retried like any other; its 404 (a wrong auth path) is not", () => {
    assert.equal(summary(status(503, 'auth'), { authStyle: 'keystone' }), 'retry 1');
    assert.equal(summary(status(404, 'auth'), { authStyle: 'keystone' }), 'give-up not-retryable');
    assert.equal(summary({ kind: 'network', phase: 'auth' }, { authStyle: 'keystone' }), 'retry 1');
  });
});

describe('retry policy: the conflict rule (a container emptied a moment ago)', () => {
  const conflict: Partial<RetrySettings> = { retries: 3, startingBackoff: 0.5, maxBackoff: 2, retryOn: 'conflict' };
  test('409 retried 3 times, nothing else ever', () => {
    assert.equal(summary(status(409), { attempts: 1, backoff: 0.5 }, conflict), 'retry 0.5');
    assert.equal(summary(status(409), { attempts: 3, backoff: 2 }, conflict), 'retry 2');
    assert.equal(summary(status(409), { attempts: 4, backoff: 2 }, conflict), 'give-up not-retryable');
    for (const other of [status(500), status(404), network, status(429)]) {
      assert.equal(summary(other, { attempts: 1 }, conflict), 'give-up not-retryable');
    }
  });
});

describe('outcomeOf: which errors can be retried', () => {
  test('classifies by class and status, never by message', () => {
    assert.deepEqual(outcomeOf(new NetworkError('reset'), 'request'), { kind: 'network', phase: 'request' });
    assert.deepEqual(outcomeOf(new TimeoutError('slow'), 'auth'), { kind: 'network', phase: 'auth' });
    const busy = new ClientException('busy', { httpStatus: 503, httpResponseHeaders: { 'retry-after': '7' } });
    assert.deepEqual(outcomeOf(busy, 'request'), { kind: 'status', phase: 'request', status: 503, retryAfter: 7 });
    assert.equal(outcomeOf(new NotFoundError('gone', { httpStatus: 404 }), 'request').kind, 'status');
    assert.equal(outcomeOf(new UnauthorizedError('no', { httpStatus: 401 }), 'auth').kind, 'status');
    assert.deepEqual(outcomeOf(new ClientException('bad name'), 'request'), { kind: 'final' });
    assert.deepEqual(outcomeOf(new ChecksumError('md5', { expected: 'a', actual: 'b' }), 'request'), { kind: 'final' });
    assert.deepEqual(outcomeOf(new TypeError('bug'), 'request'), { kind: 'final' });
    assert.deepEqual(outcomeOf(new ClientException('late', { httpStatus: 503 }), 'request', true), { kind: 'final' }, 'a request that took effect');
  });
});
