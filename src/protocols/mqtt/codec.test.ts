import { describe, expect, it } from 'vitest';
import { quality, type Point } from '../../core/point.js';
import { DecodeError } from '../../core/errors.js';
import { CommandError, decodePointPayload, encodeCommandResult, encodePointPayload, parseCommandPayload } from './codec.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('point payload', () => {
  it('carries value, unit, quality, reason, times, kind, device, name', () => {
    const p: Point = {
      id: 's1/inv1/W',
      device: 'inv1',
      kind: 'inverter',
      name: 'W',
      value: 1234.5,
      unit: 'W',
      quality: quality('questionable', 'stale'),
      sourceTime: Date.UTC(2026, 0, 1, 12, 0, 0),
      receiveTime: Date.UTC(2026, 0, 1, 12, 0, 1),
    };
    const json = JSON.parse(encodePointPayload(p));
    expect(json).toEqual({
      id: 's1/inv1/W',
      device: 'inv1',
      kind: 'inverter',
      name: 'W',
      value: 1234.5,
      unit: 'W',
      quality: 'questionable',
      reason: 'stale',
      sourceTime: '2026-01-01T12:00:00.000Z',
      receiveTime: '2026-01-01T12:00:01.000Z',
    });
    expect(decodePointPayload(encodePointPayload(p))).toEqual(json);
  });

  it('decodePointPayload gives a DecodeError for foreign payloads', () => {
    expect(() => decodePointPayload('{"a":1}')).toThrow(DecodeError);
    expect(() => decodePointPayload('{oops')).toThrow(DecodeError);
  });
});

describe('parseCommandPayload', () => {
  it.each([
    ['42', { value: 42 }],
    ['-1.5', { value: -1.5 }],
    ['true', { value: true }],
    ['"auto"', { value: 'auto' }],
    ['{"value": 50}', { value: 50 }],
    ['{"value": false, "id": "c-1", "validFor": 60}', { value: false, id: 'c-1', validForMs: 60000 }],
    ['{"value": 1, "validFor": 0.5}', { value: 1, validForMs: 500 }],
  ])('accepts %s', (text, expected) => {
    expect(parseCommandPayload(b(text))).toEqual(expected);
  });

  it.each([
    ['', undefined, 'empty payload'],
    ['{"value": ', undefined, 'malformed JSON'],
    ['on', undefined, 'malformed JSON'],
    ['null', 'value', 'got null'],
    ['[1,2]', 'value', 'got an array'],
    ['{"id": "x"}', 'value', 'missing'],
    ['{"value": {"a": 1}}', 'value', 'got object'],
    ['{"value": 1, "extra": 2}', 'extra', 'unknown field'],
    ['{"value": 1, "id": ""}', 'id', 'non-empty'],
    ['{"value": 1, "id": 7}', 'id', 'non-empty'],
    ['{"value": 1, "validFor": -5}', 'validFor', 'positive'],
    ['{"value": 1, "validFor": "10"}', 'validFor', 'positive'],
    ['1e999', 'value', 'out of range'],
  ])('rejects %j with a typed error naming %s', (text, field, msg) => {
    try {
      parseCommandPayload(b(text));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CommandError);
      expect((e as CommandError).field).toBe(field);
      expect((e as CommandError).message).toContain(msg);
    }
  });

  it('gives the JSON offset of a syntax error', () => {
    try {
      parseCommandPayload(b('{"value": 1,}'));
      expect.unreachable();
    } catch (e) {
      expect((e as CommandError).offset).toBe(12);
    }
  });

  it('rejects invalid UTF-8 and oversize payloads', () => {
    expect(() => parseCommandPayload(Buffer.from([0x22, 0xff, 0x22]))).toThrow(/UTF-8/);
    expect(() => parseCommandPayload(Buffer.alloc(5000, 0x31))).toThrow(/exceeds/);
  });
});

describe('command result', () => {
  it('always carries id, ok, reason, value, ts', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(JSON.parse(encodeCommandResult({ ok: true, id: 'c1', value: 5 }, now))).toEqual({ id: 'c1', ok: true, reason: null, value: 5, ts: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(encodeCommandResult({ ok: false, reason: 'nope' }, now))).toEqual({ id: null, ok: false, reason: 'nope', value: null, ts: '2026-01-01T00:00:00.000Z' });
  });
});
