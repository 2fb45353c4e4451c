import type { FastifyRequest } from 'fastify';
import { clientAddress } from './mail-limits';

const request = (headers: Record<string, string>, ip = '127.0.0.1') => ({ headers, ip }) as unknown as FastifyRequest;

describe('clientAddress', () => {
  it('is the address the gateway resolved', () => {
    expect(clientAddress(request({ 'x-client-ip': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientAddress(request({ 'x-client-ip': '2001:db8::1' }))).toBe('2001:db8::1');
  });

  it("is the request's own address without the header, or when the header is not an address", () => {
    expect(clientAddress(request({}, '198.51.100.2'))).toBe('198.51.100.2');
    expect(clientAddress(request({ 'x-client-ip': 'evil:key*' }, '198.51.100.2'))).toBe('198.51.100.2');
    expect(clientAddress(request({ 'x-client-ip': '203.0.113.7, 10.0.0.1' }, '198.51.100.2'))).toBe('198.51.100.2');
  });
});
