// The engine choice and the runtime facts it rests on: pure, no server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canStreamUploads, detectRuntime, isBlockedPort, isForbiddenHeader, withUserAgent, type RuntimeGlobals, type RuntimeKind } from '../../src/http/runtime.js';
import type { Dispatcher } from 'undici';
import { chooseTransport, createTransport } from '../../src/http/select.js';
import { ClientException, Connection } from '../../src/index.js';

describe('detectRuntime', () => {
  const cases: Array<[string, RuntimeGlobals, RuntimeKind]> = [
    ['Node', { process: { versions: { node: '20.20.2' } } }, 'node'],
    ['Bun by process.versions', { process: { versions: { node: '24.3.0', bun: '1.4.5' } } }, 'bun'],
    ['Bun by its global', { Bun: {}, process: { versions: { node: '24.3.0' } } }, 'bun'],
    ['Deno with Node compatibility', { Deno: {}, process: { versions: { node: '22.0.0', deno: '2.9.0' } } }, 'deno'],
    ['Deno by process.versions only', { process: { versions: { node: '22.0.0', deno: '2.9.0' } } }, 'deno'],
    ['a page', { document: {}, window: {} }, 'browser'],
    ['a page with a process shim but no node version', { process: { versions: {} }, window: {} }, 'browser'],
    ['a worker', {}, 'worker'],
  ];
  for (const [name, globals, expected] of cases) {
    test(`${name}: ${expected}`, () => assert.equal(detectRuntime(globals), expected));
  }
  test('this process', () => assert.equal(detectRuntime(), 'Deno' in globalThis ? 'deno' : 'Bun' in globalThis ? 'bun' : 'node'));
});

describe('chooseTransport: option, then a dispatcher, then SWIFTCLIENT_TRANSPORT, then the runtime', () => {
  const cases: Array<[RuntimeKind, unknown, string | undefined, boolean, string]> = [
    ['node', undefined, undefined, false, 'undici'],
    ['deno', undefined, undefined, false, 'undici'],
    ['bun', undefined, undefined, false, 'undici'],
    ['browser', undefined, undefined, false, 'fetch'],
    ['worker', undefined, undefined, false, 'fetch'],
    ['node', 'fetch', undefined, false, 'fetch'],
    ['node', undefined, 'fetch', false, 'fetch'],
    ['node', undefined, ' FETCH ', false, 'fetch'],
    ['node', undefined, '', false, 'undici'],
    ['node', 'undici', 'fetch', false, 'undici'],
    ['node', 'fetch', 'undici', false, 'fetch'],
    ['node', undefined, 'fetch', true, 'undici'],
    ['node', 'fetch', undefined, true, 'fetch'],
    ['bun', undefined, undefined, true, 'undici'],
    ['bun', 'fetch', undefined, false, 'fetch'],
    ['bun', 'fetch', undefined, true, 'fetch'],
    ['bun', undefined, 'fetch', false, 'fetch'],
  ];
  for (const [runtime, option, env, dispatcher, expected] of cases) {
    test(`${runtime}, transport ${String(option)}, env ${JSON.stringify(env)}, dispatcher ${dispatcher}: ${expected}`, () => {
      assert.equal(chooseTransport(runtime, option, env, dispatcher), expected);
    });
  }
  const refused: Array<[RuntimeKind, unknown, string | undefined, RegExp]> = [
    ['worker', 'undici', undefined, /Invalid transport "undici": undici cannot run on worker/],
    ['browser', undefined, 'undici', /Invalid SWIFTCLIENT_TRANSPORT "undici": undici cannot run on browser/],
    ['node', 'xhr', undefined, /Invalid transport "xhr": expected "undici" or "fetch"/],
    ['node', undefined, 'curl', /Invalid SWIFTCLIENT_TRANSPORT "curl"/],
    ['node', 42, undefined, /Invalid transport 42/],
  ];
  for (const [runtime, option, env, message] of refused) {
    test(`${runtime}, transport ${String(option)}, env ${String(env)}: refused`, () => {
      assert.throws(
        () => chooseTransport(runtime, option, env),
        (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT' && message.test(err.message),
      );
    });
  }
  test('a Connection refuses a bad choice when made, before any request', () => {
    assert.throws(() => new Connection({ transport: 'nope' as 'fetch' }), (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT');
  });
});

describe('what the fetch engine may send', () => {
  const headers: Array<[string, boolean]> = [
    ['Content-Type', false],
    ['X-Object-Meta-Color', false],
    ['X-Auth-Token', false],
    ['Range', false],
    ['If-Match', false],
    ['Host', true],
    ['Transfer-Encoding', true],
    ['Cookie', true],
    ['Expect', true],
    ['Proxy-Authorization', true],
    ['Sec-Fetch-Mode', true],
  ];
  for (const [name, forbidden] of headers) {
    test(`${name} is ${forbidden ? '' : 'not '}dropped by browsers`, () => assert.equal(isForbiddenHeader(name), forbidden));
  }
  const ports: Array<[number, boolean]> = [[9, true], [25, true], [6000, true], [80, false], [443, false], [8080, false], [5000, false]];
  for (const [port, blocked] of ports) {
    test(`port ${port} is ${blocked ? '' : 'not '}blocked`, () => assert.equal(isBlockedPort(port), blocked));
  }
  const streams: Array<[RuntimeKind, boolean]> = [['node', true], ['deno', true], ['bun', true], ['browser', false], ['worker', false]];
  for (const [runtime, can] of streams) {
    test(`${runtime} ${can ? 'streams' : 'cannot stream'} an upload of unknown length`, () => assert.equal(canStreamUploads(runtime), can));
  }
});

describe('withUserAgent: the User-Agent the fetch engine sends', () => {
  const mine = { 'x-auth-token': 't', 'User-Agent': 'mine/1' };
  const plain = { 'x-auth-token': 't' };
  const cases: Array<[string, Record<string, string>, string | undefined, RuntimeKind, Record<string, string>]> = [
    ['Node: the default is added', plain, 'swiftclient/1 node/20', 'node', { 'x-auth-token': 't', 'user-agent': 'swiftclient/1 node/20' }],
    ["Node: the caller's header wins", mine, 'swiftclient/1 node/20', 'node', mine],
    ['Bun: the option is added', plain, 'tool/2', 'bun', { 'x-auth-token': 't', 'user-agent': 'tool/2' }],
    ['a worker: none when the platform has no default', plain, undefined, 'worker', plain],
    ['a worker: the option is added', plain, 'tool/2', 'worker', { 'x-auth-token': 't', 'user-agent': 'tool/2' }],
    ['a page: never the option', plain, 'tool/2', 'browser', plain],
    ["a page: never the caller's header, whatever its case", { ...mine, 'USER-AGENT': 'x/1' }, 'tool/2', 'browser', plain],
    ["Deno: the caller's header wins whatever its case", { 'USER-AGENT': 'x/1' }, 'tool/2', 'deno', { 'USER-AGENT': 'x/1' }],
    ['a page: a name that only holds user-agent is kept', { ...plain, 'x-user-agent': 'a' }, 'tool/2', 'browser', { ...plain, 'x-user-agent': 'a' }],
  ];
  for (const [name, headers, agent, runtime, expected] of cases) {
    test(name, () => assert.deepEqual(withUserAgent(headers, agent, runtime), expected));
  }
});

describe('createTransport: a dispatcher must be able to dispatch', () => {
  test("an object without dispatch() (Bun's own undici Agent) is refused as BAD_INPUT, naming undici/index.js", () => {
    assert.throws(
      () => createTransport({ dispatcher: {} as unknown as Dispatcher }),
      (err: unknown) => err instanceof ClientException && err.code === 'BAD_INPUT' && /undici\/index\.js/.test(err.message),
    );
  });
});
