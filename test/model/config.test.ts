import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

describe('config', () => {
  it('takes defaults, then the environment, then flags', () => {
    expect(parseConfig([], {})).toMatchObject({ port: 8080, databaseUrl: './data/switchboard.db', demo: false });
    expect(parseConfig([], { PORT: '9000', DATABASE_URL: ':memory:', HOST: '127.0.0.1' })).toMatchObject({
      port: 9000,
      databaseUrl: ':memory:',
      host: '127.0.0.1',
    });
    expect(parseConfig(['--port', '9100', '--database', 'x.db', '--demo'], { PORT: '9000', DATABASE_URL: 'y.db' })).toMatchObject({
      port: 9100,
      databaseUrl: 'x.db',
      demo: true,
    });
  });

  it('is frozen, and names the option that is wrong', () => {
    expect(Object.isFrozen(parseConfig([], {}))).toBe(true);
    expect(() => parseConfig([], { PORT: 'http' })).toThrow(/--port \/ PORT must be a port number/);
    expect(() => parseConfig(['--log-level', 'loud'], {})).toThrow(/--log-level \/ LOG_LEVEL must be one of/);
    expect(() => parseConfig(['--nope'], {})).toThrow();
  });
});
