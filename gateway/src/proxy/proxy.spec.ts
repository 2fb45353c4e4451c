import { forwardedHeaders } from './proxy';

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
