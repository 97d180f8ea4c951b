import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bypassesProxy, proxyEnv, proxyFor } from '../../src/http/proxy.js';

describe('proxies from the environment, as python requests reads them', () => {
  test('lower-case wins; https never falls back to the http proxy; all_proxy covers both; a bare host:port means http://', () => {
    assert.deepEqual(proxyEnv({ HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2' }), { http: 'http://lower:2', https: undefined, noProxy: [] });
    assert.deepEqual(proxyEnv({ HTTPS_PROXY: 'proxy.example:3128' }), { http: undefined, https: 'http://proxy.example:3128', noProxy: [] });
    assert.deepEqual(proxyEnv({ ALL_PROXY: 'http://all:9', https_proxy: 'http://s:1' }), { http: 'http://all:9', https: 'http://s:1', noProxy: [] });
    assert.deepEqual(proxyEnv({ NO_PROXY: 'a.example, .b.example ,10.0.0.0/8' }).noProxy, ['a.example', '.b.example', '10.0.0.0/8']);
    assert.deepEqual(proxyEnv({ HTTP_PROXY: 'http://upper:1', http_proxy: '' }).http, undefined, 'a lower-case one set empty wins too');
    assert.deepEqual(proxyEnv({}).noProxy, []);
  });

  // [url, NO_PROXY, bypass]
  const rows: Array<[string, string, boolean]> = [
    ['http://swift.example.com/v1', '', false],
    ['http://swift.example.com/v1', '*', true],
    ['http://swift.example.com/v1', 'swift.example.com', true],
    ['http://swift.example.com/v1', 'example.com', true],
    ['http://swift.example.com/v1', '.example.com', true],
    ['http://swift.example.com/v1', '*.example.com', true],
    ['http://badexample.com/v1', 'example.com', false],
    ['http://swift.example.com:8080/v1', 'swift.example.com:8080', true],
    ['http://swift.example.com:8081/v1', 'swift.example.com:8080', false],
    ['http://SWIFT.Example.com/v1', 'swift.example.COM', true],
    ['http://127.0.0.1:8080/v1', '127.0.0.1', true],
    ['http://127.0.0.1:8080/v1', '127.0.0.1:8080', true],
    ['http://127.0.0.1:8080/v1', '127.0.0.1:9999', false],
    ['http://127.0.0.1:8080/v1', '127.0.0.0/8', true],
    ['http://10.1.2.3/v1', '10.0.0.0/8', true],
    ['http://11.1.2.3/v1', '10.0.0.0/8', false],
    ['http://10.1.2.3/v1', 'localhost,other', false],
  ];
  for (const [url, noProxy, bypass] of rows) {
    test(`${url} with NO_PROXY=${JSON.stringify(noProxy)}: ${bypass ? 'direct' : 'through the proxy'}`, () => {
      const entries = noProxy.split(',').map((e) => e.trim()).filter(Boolean);
      assert.equal(bypassesProxy(new URL(url), entries), bypass);
      assert.equal(proxyFor(new URL(url), { http: 'http://p:1', https: undefined, noProxy: entries }), bypass ? undefined : 'http://p:1');
    });
  }

  test('https URLs use only the https proxy', () => {
    assert.equal(proxyFor(new URL('https://s.example/'), { http: 'http://p:1', https: undefined, noProxy: [] }), undefined);
    assert.equal(proxyFor(new URL('https://s.example/'), { http: undefined, https: 'http://q:2', noProxy: [] }), 'http://q:2');
  });
});
