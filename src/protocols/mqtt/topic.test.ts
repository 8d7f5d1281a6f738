import { describe, expect, it } from 'vitest';
import { TopicTemplate, TopicTemplateError, topicMatches } from './topic.js';
import { POINT_VARIABLES } from './mapping.js';

const point = (t = '{base}/{device}/{name}') => TopicTemplate.compile(t, POINT_VARIABLES, ['base']);

describe('TopicTemplate', () => {
  it('renders variables, base may span levels', () => {
    expect(point().render({ base: 'gridbridge/site1', device: 'inv1', name: 'W' })).toBe('gridbridge/site1/inv1/W');
    expect(point('{base}/{kind}/{device}/{name}_{unit}').render({ base: 'b', kind: 'meter', device: 'm1', name: 'W', unit: 'W' })).toBe('b/meter/m1/W_W');
  });

  it.each([
    ['{base}/{devce}/{name}', 'devce', 'unknown variable'],
    ['{base}/{device/{name}', undefined, 'unmatched "{"'],
    ['{base}/device}/{name}', undefined, 'unmatched "}"'],
    ['{base}/+/{device}/{name}', undefined, 'wildcard "+"'],
    ['{base}/#', undefined, 'wildcard "#"'],
    ['$SYS/{device}/{name}', undefined, 'reserved'],
    ['', undefined, 'empty'],
  ])('rejects template %j', (tpl, variable, msg) => {
    let err: unknown;
    try {
      point(tpl);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopicTemplateError);
    const e = err as TopicTemplateError;
    expect(e.template).toBe(tpl);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(msg);
  });

  it.each([
    [{ device: 'in+v' }, 'device', 'wildcard "+"'],
    [{ device: 'inv#' }, 'device', 'wildcard "#"'],
    [{ name: 'W\u0000' }, 'name', 'NUL'],
    [{ name: 'a/b' }, 'name', 'level separator'],
    [{ name: '' }, 'name', 'empty'],
    [{ device: '\ud800' }, 'device', 'surrogate'],
  ])('rejects rendered value %j naming template and variable', (over, variable, msg) => {
    const t = point();
    const values = { base: 'b', device: 'inv', name: 'W', ...over };
    expect(() => t.render(values)).toThrowError(TopicTemplateError);
    try {
      t.render(values);
    } catch (e) {
      expect((e as TopicTemplateError).variable).toBe(variable);
      expect((e as TopicTemplateError).message).toContain('{base}/{device}/{name}');
      expect((e as TopicTemplateError).message).toContain(msg);
    }
  });

  it('rejects a missing optional variable (kind) used by the template', () => {
    expect(() => point('{base}/{kind}/{device}/{name}').render({ base: 'b', device: 'd', name: 'W' })).toThrow(/variable \{kind\}: no value/);
  });

  it('rejects a base with a wildcard even though it may contain "/"', () => {
    expect(() => point().render({ base: 'a/+/b', device: 'd', name: 'W' })).toThrow(/\{base\}.*wildcard/);
  });

  it('builds a command filter and matches topics back', () => {
    const t = point('{base}/{kind}/{device}/{name}');
    expect(t.filter({ base: 'gb/s1', site: 's1' })).toBe('gb/s1/+/+/+');
    expect(t.match('gb/s1/meter/m1/W', { base: 'gb/s1', site: 's1' })).toEqual({ base: 'gb/s1', site: 's1', kind: 'meter', device: 'm1', name: 'W' });
    expect(t.match('gb/s2/meter/m1/W', { base: 'gb/s1' })).toBeUndefined();
    expect(t.match('gb/s1/m1/W', { base: 'gb/s1' })).toBeUndefined();
    const dup = point('{base}/{device}/{name}/{device}');
    expect(dup.match('b/d1/W/d2', { base: 'b' })).toBeUndefined();
    expect(dup.match('b/d1/W/d1', { base: 'b' })).toMatchObject({ device: 'd1', name: 'W' });
  });

  it('topicMatches implements + and #', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
  });
});
