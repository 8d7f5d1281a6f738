"use strict";
/**
 * MQTT topic templates: `"{base}/{device}/{name}"` with a fixed set of variables per template.
 * Templates are checked once when compiled (unknown variable, unbalanced brace, wildcard or NUL in the literal parts);
 * rendering rejects values that would change the topic structure (`+`, `#`, NUL, and `/` except in `base`).
 * MQTT 3.1.1 §4.7 / MQTT 5 §4.7: `+` and `#` are wildcards only valid in filters, topics are UTF-8, ≤ 65535 bytes,
 * and must not contain U+0000.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.TopicTemplate = exports.TopicTemplateError = exports.TOPIC_VARIABLES = void 0;
exports.topicMatches = topicMatches;
exports.TOPIC_VARIABLES = ['base', 'site', 'device', 'kind', 'name', 'unit'];
/** A template that cannot be compiled, or values that cannot be rendered into it. */
class TopicTemplateError extends Error {
    template;
    reason;
    variable;
    constructor(template, reason, 
    /** The offending variable, when one is at fault. */
    variable) {
        super(`topic template "${template}": ${variable !== undefined ? `variable {${variable}}: ` : ''}${reason}`);
        this.template = template;
        this.reason = reason;
        this.variable = variable;
        this.name = 'TopicTemplateError';
    }
}
exports.TopicTemplateError = TopicTemplateError;
const MAX_TOPIC_BYTES = 65535;
class TopicTemplate {
    template;
    parts;
    multiLevel;
    variables;
    constructor(template, parts, 
    /** Variables whose value may span several topic levels (contain `/`). */
    multiLevel) {
        this.template = template;
        this.parts = parts;
        this.multiLevel = multiLevel;
        this.variables = new Set(parts.flatMap((p) => ('variable' in p ? [p.variable] : [])));
    }
    /**
     * @param allowed the variables this template may use
     * @param multiLevel variables allowed to contain `/` (a topic prefix such as `base`)
     */
    static compile(template, allowed, multiLevel = []) {
        if (template.length === 0)
            throw new TopicTemplateError(template, 'empty template');
        const parts = [];
        let i = 0;
        while (i < template.length) {
            const open = template.indexOf('{', i);
            const close = template.indexOf('}', i);
            if (close !== -1 && (open === -1 || close < open)) {
                throw new TopicTemplateError(template, `unmatched "}" at position ${close}`);
            }
            if (open === -1) {
                parts.push({ literal: template.slice(i) });
                break;
            }
            if (open > i)
                parts.push({ literal: template.slice(i, open) });
            const end = template.indexOf('}', open);
            const nextOpen = template.indexOf('{', open + 1);
            if (end === -1 || (nextOpen !== -1 && nextOpen < end))
                throw new TopicTemplateError(template, `unmatched "{" at position ${open}`);
            const name = template.slice(open + 1, end);
            if (!allowed.includes(name)) {
                throw new TopicTemplateError(template, `unknown variable (allowed here: ${allowed.map((a) => `{${a}}`).join(', ')})`, name);
            }
            parts.push({ variable: name });
            i = end + 1;
        }
        for (const p of parts) {
            if (!('literal' in p))
                continue;
            const bad = forbiddenChar(p.literal, false);
            if (bad)
                throw new TopicTemplateError(template, `literal text contains ${bad}`);
        }
        const first = parts[0];
        if (first && 'literal' in first && first.literal.startsWith('$')) {
            throw new TopicTemplateError(template, 'topics starting with "$" are reserved for the broker');
        }
        return new TopicTemplate(template, parts, new Set(multiLevel));
    }
    uses(v) {
        return this.variables.has(v);
    }
    /** Render with the given values; throws TopicTemplateError naming the template and the variable at fault. */
    render(values) {
        let out = '';
        for (const p of this.parts) {
            if ('literal' in p) {
                out += p.literal;
                continue;
            }
            const v = values[p.variable];
            if (v === undefined || v === '')
                throw new TopicTemplateError(this.template, 'no value (empty)', p.variable);
            const bad = forbiddenChar(v, !this.multiLevel.has(p.variable));
            if (bad)
                throw new TopicTemplateError(this.template, `value ${JSON.stringify(v)} contains ${bad}`, p.variable);
            out += v;
        }
        if (out.split('/').some((level, idx, all) => level === '' && idx > 0 && idx < all.length - 1)) {
            throw new TopicTemplateError(this.template, `rendered topic "${out}" has an empty level`);
        }
        if (Buffer.byteLength(out, 'utf8') > MAX_TOPIC_BYTES) {
            throw new TopicTemplateError(this.template, `rendered topic is longer than ${MAX_TOPIC_BYTES} bytes`);
        }
        return out;
    }
    /**
     * A subscription filter matching every topic this template can render once `fixed` variables are substituted:
     * each level that still holds a variable becomes `+`. Requires the variable levels to be whole levels or parts
     * of a level (a variable never spans levels unless it is fixed).
     */
    filter(fixed) {
        let out = '';
        for (const p of this.parts) {
            if ('literal' in p)
                out += p.literal;
            else if (fixed[p.variable] !== undefined)
                out += this.render1(p.variable, fixed[p.variable]);
            else
                out += '\u0000';
        }
        return out
            .split('/')
            .map((level) => (level.includes('\u0000') ? '+' : level))
            .join('/');
    }
    /**
     * Parse a concrete topic back into variable values (the inverse of render), or undefined when it does not
     * match. `fixed` variables must equal their given value.
     */
    match(topic, fixed) {
        let re = '^';
        const order = [];
        for (const p of this.parts) {
            if ('literal' in p)
                re += escapeRegExp(p.literal);
            else if (fixed[p.variable] !== undefined)
                re += escapeRegExp(fixed[p.variable]);
            else {
                re += '([^/]+)';
                order.push(p.variable);
            }
        }
        const m = new RegExp(re + '$', 'u').exec(topic);
        if (!m)
            return undefined;
        const out = { ...fixed };
        for (let k = 0; k < order.length; k++) {
            const v = order[k];
            const got = m[k + 1];
            if (out[v] !== undefined && out[v] !== got)
                return undefined; // same variable twice with different values
            out[v] = got;
        }
        return out;
    }
    render1(v, value) {
        const bad = forbiddenChar(value, !this.multiLevel.has(v));
        if (bad)
            throw new TopicTemplateError(this.template, `value ${JSON.stringify(value)} contains ${bad}`, v);
        return value;
    }
}
exports.TopicTemplate = TopicTemplate;
function forbiddenChar(s, slashForbidden) {
    if (s.includes('+'))
        return 'the wildcard "+"';
    if (s.includes('#'))
        return 'the wildcard "#"';
    if (s.includes('\u0000'))
        return 'a NUL character';
    if (slashForbidden && s.includes('/'))
        return 'the level separator "/"';
    // Lone surrogates cannot be encoded as UTF-8.
    if (/\p{Cs}/u.test(s))
        return 'an unpaired UTF-16 surrogate (not valid UTF-8)';
    return undefined;
}
function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/** Does an MQTT topic filter (with `+`/`#`) match a concrete topic? (MQTT 3.1.1 §4.7.1) */
function topicMatches(filter, topic) {
    const f = filter.split('/');
    const t = topic.split('/');
    for (let i = 0; i < f.length; i++) {
        const seg = f[i];
        if (seg === '#')
            return true;
        if (i >= t.length)
            return false;
        if (seg !== '+' && seg !== t[i])
            return false;
    }
    return f.length === t.length;
}
//# sourceMappingURL=topic.js.map