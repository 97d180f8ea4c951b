import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter, retryDelay, sleep } from '../../src/http/retry.js';

test('Retry-After as seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-11-27T00:00:00Z');
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 00:00:10 GMT', now), 10);
});

test('backoff is python\'s sleep plus up to 25% jitter, never past maxBackoff, and honours Retry-After up to 60 s', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i += 1) {
    const d = retryDelay(4, 64);
    assert.ok(d >= 4 && d <= 5, `jittered ${d}`);
    seen.add(d);
    assert.ok(retryDelay(8, 9) <= 9, 'jitter stops at maxBackoff');
    assert.equal(retryDelay(100, 10), 10, 'capped');
    assert.ok(retryDelay(0.01, 0.02, 2) >= 2);
    assert.ok(retryDelay(1, 64, 3600) <= 60);
  }
  assert.ok(seen.size > 100, 'the delay varies');
});

test('sleep stops at once when its signal aborts', async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(new Error('stop')), 20);
  await assert.rejects(sleep(10, controller.signal), /stop/);
  assert.ok(Date.now() - started < 1000);
});
