import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { EmulatorServer, json } from '../../src/emulator/http-server';
import { ApiError } from '../../src/lib/http/errors';
import { parseRetryAfter, Transport } from '../../src/lib/http/transport';
import { checkEndpointUrl } from '../../src/lib/http/url-policy';

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

describe('transport', () => {
  const emulator = new EmulatorServer((req) => {
    if (req.path === '/ok') return json(200, { hello: 'world' });
    if (req.path === '/empty') return { status: 204 };
    if (req.path === '/missing') return json(404, { message: 'no' });
    if (req.path === '/denied') return json(403, { message: 'no' });
    if (req.path === '/conflict') return json(409, { message: 'exists' });
    if (req.path === '/cookie') return { status: 200, body: {}, headers: { 'Set-Cookie': 'sid=abc; Path=/' } };
    if (req.path === '/echo') return json(200, { cookie: req.headers.cookie ?? null, ua: req.headers['user-agent'], body: req.body });
    return json(500, {});
  });
  let base: string;
  let transport: Transport;

  before(async () => {
    base = await emulator.start();
  });
  after(() => emulator.stop());
  beforeEach(() => {
    emulator.resetFaults();
    transport = new Transport({ service: 'Test', timeoutMs: 300 });
  });

  it('parses JSON and sends JSON bodies', async () => {
    assert.deepEqual((await transport.request({ method: 'GET', url: `${base}/ok` })).data, { hello: 'world' });
    const echo = await transport.request({ method: 'POST', url: `${base}/echo`, body: { a: 1 } });
    assert.deepEqual((echo.data as { body: unknown }).body, { a: 1 });
    assert.equal((await transport.request({ method: 'GET', url: `${base}/empty` })).data, null);
  });

  it('maps HTTP statuses to error codes', async () => {
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/missing` }))).code, 'NOT_FOUND');
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/denied` }))).code, 'AUTH_FAILED');
    const conflict = await failure(transport.request({ method: 'GET', url: `${base}/conflict` }));
    assert.equal(conflict.status, 409);
    emulator.faults.status5xxCount = 1;
    const down = await failure(transport.request({ method: 'GET', url: `${base}/ok` }));
    assert.equal(down.code, 'UNAVAILABLE');
    assert.ok(down.transient);
  });

  it('reports 429 with its Retry-After', async () => {
    emulator.faults.rateLimitCount = 1;
    emulator.faults.retryAfterS = 7;
    const err = await failure(transport.request({ method: 'GET', url: `${base}/ok` }));
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(err.retryAfterMs, 7000);
  });

  it('turns resets, hangs, HTML and malformed bodies into clear errors', async () => {
    emulator.faults.resetCount = 1;
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/ok` }))).code, 'UNAVAILABLE');
    emulator.faults.hangCount = 1;
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/ok` }))).code, 'TIMEOUT');
    emulator.faults.htmlCount = 1;
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/ok` }))).code, 'PROTOCOL');
    emulator.faults.malformedCount = 1;
    assert.equal((await failure(transport.request({ method: 'GET', url: `${base}/ok` }))).code, 'PROTOCOL');
  });

  it('keeps cookies per transport', async () => {
    await transport.request({ method: 'GET', url: `${base}/cookie` });
    const same = await transport.request({ method: 'GET', url: `${base}/echo` });
    assert.equal((same.data as { cookie: string }).cookie, 'sid=abc');
    const other = await new Transport({ service: 'Other' }).request({ method: 'GET', url: `${base}/echo` });
    assert.equal((other.data as { cookie: string | null }).cookie, null);
  });

  it('sends cookies only to the host that set them', async () => {
    await transport.request({ method: 'GET', url: `${base}/cookie` });
    const port = (emulator.url.match(/:(\d+)$/) ?? [])[1];
    const echo = await transport.request({ method: 'GET', url: `http://localhost:${port}/echo` });
    assert.equal((echo.data as { cookie: string | null }).cookie, null);
  });

  it('refuses plain http to a non-loopback host before sending anything', async () => {
    const count = emulator.log.length;
    assert.equal((await failure(transport.request({ method: 'GET', url: 'http://example.com/x' }))).code, 'INVALID_INPUT');
    assert.equal(emulator.log.length, count);
  });

  it('never sends to an unreachable port without a clear error', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    assert.equal((await failure(transport.request({ method: 'GET', url: `http://127.0.0.1:${port}/` }))).code, 'UNAVAILABLE');
  });
});

describe('endpoint rule', () => {
  it('allows https anywhere and http on loopback only', () => {
    assert.ok(checkEndpointUrl('https://api.comapsmarthome.com', 'apiUrl'));
    for (const ok of ['http://127.0.0.1:8080', 'http://127.4.5.6/', 'http://localhost:1880', 'http://[::1]:9000/']) {
      assert.ok(checkEndpointUrl(ok, 'apiUrl'), ok);
    }
    for (const bad of ['http://192.168.1.2', 'http://example.com', 'ftp://x', 'not a url', '', 'http://127.0.0.1.evil.com']) {
      assert.throws(() => checkEndpointUrl(bad, 'apiUrl'), (e: ApiError) => e.code === 'INVALID_INPUT' && e.message.includes('apiUrl'), bad);
    }
  });

  it('reads Retry-After in seconds and as a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
