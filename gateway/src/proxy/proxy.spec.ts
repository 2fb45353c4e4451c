import Fastify from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config';
import { forwardedHeaders, registerProxyRoutes } from './proxy';

describe('headers forwarded to a service', () => {
  it('never carries identity headers sent by the client', () => {
    const headers = forwardedHeaders(
      { 'x-user-id': '1', 'x-user-role': 'SELLER', 'x-client-ip': '10.9.9.9', accept: 'application/json' },
      'req-1',
      '192.0.2.7',
    );
    expect(headers).toEqual({ accept: 'application/json', 'x-request-id': 'req-1', 'x-client-ip': '192.0.2.7' });
  });

  it('carries the verified identity', () => {
    const headers = forwardedHeaders({ 'x-user-id': '1' }, 'req-1', '192.0.2.7', { userId: '42', role: 'CUSTOMER' });
    expect(headers).toMatchObject({ 'x-user-id': '42', 'x-user-role': 'CUSTOMER' });
  });
});

describe('several replicas of a service', () => {
  /** A replica answering its own name. */
  const replica = (name: string, hits: string[]) =>
    new Promise<{ server: Server; url: string }>((resolve) => {
      const server = createServer((req, res) => {
        hits.push(name);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ replica: name, path: req.url }));
      });
      server.listen(0, '127.0.0.1', () =>
        resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
      );
    });

  it('share the requests of their prefix', async () => {
    const hits: string[] = [];
    const [a, b, user] = await Promise.all([replica('a', hits), replica('b', hits), replica('user', hits)]);
    const app = Fastify();
    const open = async () => undefined;
    const upstreams = { user: [user.url], brand: [user.url], product: [user.url], payment: [user.url] };
    const config = { upstreams: { ...upstreams, order: [a.url, b.url] } } as unknown as GatewayConfig;
    try {
      await registerProxyRoutes(app as unknown as NestFastifyApplication, config, open, open);
      for (let i = 0; i < 40; i++) {
        const res = await app.inject({ method: 'GET', url: `/orders/${i}` });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ path: `/orders/${i}` });
      }
      const count = (name: string) => hits.filter((h) => h === name).length;
      expect(count('a') + count('b')).toBe(40);
      expect(count('a')).toBeGreaterThanOrEqual(10);
      expect(count('b')).toBeGreaterThanOrEqual(10);
      // a service with one address gets every request of its prefixes
      expect((await app.inject({ method: 'GET', url: '/users/whoami' })).json()).toMatchObject({ replica: 'user' });
    } finally {
      await app.close();
      for (const r of [a, b, user]) r.server.close();
    }
  });
});
