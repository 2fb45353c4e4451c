import { ConfigError, envHostPort, envInt, envList, envPort, envString, envUrl, mysqlConfig } from './config';

describe('configuration from the environment', () => {
  it('uses the default when a variable is unset or blank', () => {
    expect(envInt('N', 5, {})).toBe(5);
    expect(envInt('N', 5, { N: '  ' })).toBe(5);
    expect(envString('S', 'x', {})).toBe('x');
  });

  it('reads set values', () => {
    expect(envInt('N', 5, { N: '42' })).toBe(42);
    expect(envList('L', 'a', { L: 'h1:1, h2:2,' })).toEqual(['h1:1', 'h2:2']);
    expect(envHostPort('G', 'a:1', { G: 'product-service:9001' })).toBe('product-service:9001');
  });

  it.each([
    [() => envInt('DB_PORT', 3306, { DB_PORT: 'abc' }), 'DB_PORT must be an integer >= 0, got "abc"'],
    [() => envInt('DB_PORT', 3306, { DB_PORT: '12.5' }), 'DB_PORT must be an integer >= 0, got "12.5"'],
    [() => envPort('HTTP_PORT', 8080, { HTTP_PORT: '0' }), 'HTTP_PORT must be a TCP port (1-65535), got "0"'],
    [() => envString('SECRET', undefined, {}), 'SECRET is required but not set'],
    [() => envUrl('REDIS_URL', 'redis://x', { REDIS_URL: 'nope' }), 'REDIS_URL must be a URL, got "nope"'],
    [() => envHostPort('G', 'a:1', { G: 'http://a:1' }), 'G must be host:port, got "http://a:1"'],
  ])('rejects a malformed value with a message naming the variable (%#)', (read, message) => {
    expect(read).toThrow(new ConfigError(message));
  });

  it('builds the MySQL block with local defaults', () => {
    expect(mysqlConfig('runrun_user', { DB_HOST: 'db' })).toEqual({
      host: 'db',
      port: 3306,
      username: 'runrun',
      password: 'runrun',
      database: 'runrun_user',
      poolSize: 20,
    });
  });
});
