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
    expect(() => parseConfig(['--read-workers', '1.5'], {})).toThrow(/--read-workers \/ READ_WORKERS must be a whole number ≥ 0/);
    expect(() => parseConfig([], { READ_CONCURRENCY: '0' })).toThrow(/--read-concurrency \/ READ_CONCURRENCY must be a whole number ≥ 1/);
  });

  it('takes the hold queue’s music URL, refusing one that is not http(s)', () => {
    expect(parseConfig([], {}).holdMusicUrl).toBeUndefined();
    expect(parseConfig([], { HOLD_MUSIC_URL: 'https://cdn.example.com/hold.mp3' }).holdMusicUrl).toBe('https://cdn.example.com/hold.mp3');
    expect(parseConfig(['--hold-music-url', 'https://a.example/x.mp3'], { HOLD_MUSIC_URL: 'https://b.example/y.mp3' }).holdMusicUrl).toBe('https://a.example/x.mp3');
    expect(() => parseConfig([], { HOLD_MUSIC_URL: 'music.mp3' })).toThrow(/--hold-music-url \/ HOLD_MUSIC_URL must be an http\(s\) URL/);
  });

  it('bounds the reads: workers, how many run at once, how many may wait', () => {
    expect(parseConfig([], {})).toMatchObject({ readQueue: 64 });
    expect(parseConfig([], {}).readConcurrency).toBeUndefined();
    expect(parseConfig(['--read-workers', '0', '--read-queue', '8'], { READ_CONCURRENCY: '3', READ_WORKERS: '2' })).toMatchObject({
      readWorkers: 0,
      readConcurrency: 3,
      readQueue: 8,
    });
  });

  it('reads the live stream limits and the CORS origins from the environment, refusing settings that cannot work', () => {
    const config = parseConfig([], { STREAM_HEARTBEAT_MS: '5000', STREAM_IDLE_TIMEOUT_MS: '15000', STREAM_HISTORY_HOURS: '2', STREAM_MAX_CHANNELS: '3', CORS_ORIGINS: 'https://console.example.com/, http://localhost:3000' });
    expect(config.stream).toMatchObject({ heartbeatIntervalMs: 5000, idleTimeoutMs: 15000, historyMs: 7_200_000, maxChannels: 3, maxSubscriptions: 10 });
    expect(config.corsOrigins).toEqual(['https://console.example.com', 'http://localhost:3000']);
    expect(() => parseConfig([], { STREAM_IDLE_TIMEOUT_MS: '5000' })).toThrow(/must be longer than STREAM_HEARTBEAT_MS/);
    expect(() => parseConfig([], { STREAM_MAX_CHANNELS: 'many' })).toThrow(/STREAM_MAX_CHANNELS must be a positive number/);
    expect(() => parseConfig([], { CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS must list origins/);
  });
});
