/**
 * A SAPC appliance profile (`protocol: sapc` in device-profiles/): the points an appliance exposes over SSP-1 to the
 * meter end, each naming the frame field it comes from. SSP-1 carries a level, its direction and what governs it
 * (STA), the appliance's uptime (HB), its plans (PLN) and the link itself; it carries no measurement (the appliance's consumption is
 * read from a meter on its supply, e.g. a Modbus meter as a second connection of the site).
 */
import { z } from 'zod';
import { DEVICE_KINDS } from '../../core/kinds.js';

/**
 * Where a point's value comes from: a field of a status (STA) or heartbeat (HB) frame, the link state, or the
 * appliance's plan (PLN, SSP-1 1.1; JSON text `{"from","to","steps":[[minute, level]…],"ratedW"}`).
 */
export const SAPC_POINT_SOURCES = ['STA.lvl', 'STA.dir', 'STA.src', 'STA.evt', 'STA.to', 'HB.up', 'link', 'PLN'] as const;
export type SapcPointSource = (typeof SAPC_POINT_SOURCES)[number];

export const sapcProfilePointSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  from: z.enum(SAPC_POINT_SOURCES),
  /** `rw` only for `STA.lvl`: the level a CMD sets (or limits). */
  access: z.enum(['r', 'rw']).default('r'),
  unit: z.string().min(1).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const sapcProfileSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
    protocol: z.literal('sapc'),
    kind: z.enum(DEVICE_KINDS).default('sapc_appliance'),
    metadata: z.strictObject({
      maker: z.string().min(1),
      model: z.string().min(1),
      source: z.string().min(1),
      notes: z.string().optional(),
      url: z.string().optional(),
    }),
    points: z.array(sapcProfilePointSchema).min(1, 'a profile needs at least one point'),
  })
  .superRefine((p, ctx) => {
    const names = new Set<string>();
    p.points.forEach((pt, i) => {
      if (names.has(pt.name)) ctx.addIssue({ code: 'custom', path: ['points', i, 'name'], message: `point "${pt.name}" defined twice` });
      names.add(pt.name);
      if (pt.access === 'rw' && pt.from !== 'STA.lvl') ctx.addIssue({ code: 'custom', path: ['points', i, 'access'], message: `only the level (from: STA.lvl) can be written; ${pt.from} is read-only` });
    });
    if (!p.points.some((pt) => pt.from === 'STA.lvl' && pt.access === 'rw')) ctx.addIssue({ code: 'custom', path: ['points'], message: 'a SAPC profile needs the level point (from: STA.lvl, access: rw) that commands set' });
  });

export type SapcProfile = z.output<typeof sapcProfileSchema>;
export type SapcProfilePoint = SapcProfile['points'][number];

/** JSON Schema of a SAPC profile file, for editor autocompletion (written to schemas/sapc-profile.schema.json). */
export function sapcProfileJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://gridbridge.dev/schemas/sapc-profile.schema.json',
    title: 'GridBridge SAPC appliance profile',
    ...z.toJSONSchema(sapcProfileSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
