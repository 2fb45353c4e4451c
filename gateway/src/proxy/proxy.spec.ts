import { forwardedHeaders } from './proxy';

describe('headers forwarded to a service', () => {
  it('never carries identity headers sent by the client', () => {
    const headers = forwardedHeaders(
      { 'x-user-id': '1', 'x-user-role': 'SELLER', accept: 'application/json' },
      'req-1',
    );
    expect(headers).toEqual({ accept: 'application/json', 'x-request-id': 'req-1' });
  });
});
