// A Twilio Studio flow definition (the Studio v2 REST API's `definition`, what Studio's "Export to JSON"
// writes): `states` (widgets: name, type, transitions, properties), `initial_state` (the trigger). What the
// importer reads of it, checked here so that anything else is a 400 naming the path; the mapping itself is
// studio-import.ts. Lenient where Studio adds fields over the years: unknown keys are kept and ignored.
import { z } from 'zod';

/** More widgets than any Studio flow holds (the admin API's 256 KB body caps it long before). */
export const MAX_STUDIO_STATES = 2000;

/** `{{widgets.menu.Digits}}` and the like: what a condition tests and what it is compared with. */
const conditionSchema = z.looseObject({
  type: z.string(),
  friendly_name: z.unknown().optional(),
  arguments: z.array(z.unknown()).optional(),
  value: z.unknown().optional(),
});

const transitionSchema = z.looseObject({
  event: z.string(),
  /** The widget it leads to; absent, null or "" when the flow ends there. */
  next: z.string().nullish(),
  conditions: z.array(conditionSchema).optional(),
});

const stateSchema = z.looseObject({
  name: z.string().min(1, 'a widget needs a name'),
  type: z.string({ error: 'a widget needs a type (say-play, gather-input-on-call, ...)' }).min(1, 'a widget needs a type'),
  transitions: z.array(transitionSchema).default([]),
  properties: z.record(z.string(), z.unknown()).default({}),
});

export const studioDefinitionSchema = z
  .looseObject({
    description: z.string().optional(),
    states: z.array(stateSchema, { error: 'a Studio definition has a list of widgets, `states`' }).min(1).max(MAX_STUDIO_STATES),
    initial_state: z.string({ error: 'a Studio definition names its trigger widget in `initial_state`' }),
    flags: z.unknown().optional(),
  }, { error: 'must be a Studio flow definition: an object with `states` and `initial_state`' })
  .superRefine((definition, ctx) => {
    // Transitions name widgets: two widgets of one name would make every transition to it ambiguous.
    const seen = new Map<string, number>();
    definition.states.forEach((state, i) => {
      const first = seen.get(state.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['states', i, 'name'], message: `another widget (states.${first}) is already named "${state.name}"` });
      } else seen.set(state.name, i);
    });
    const initial = seen.get(definition.initial_state);
    if (initial === undefined) {
      ctx.addIssue({ code: 'custom', path: ['initial_state'], message: `names "${definition.initial_state}", which is not one of the flow's widgets` });
    } else if (definition.states[initial].type !== 'trigger') {
      ctx.addIssue({ code: 'custom', path: ['initial_state'], message: `must name the flow's trigger widget; "${definition.initial_state}" is a ${definition.states[initial].type}` });
    }
  });

export type StudioDefinition = z.infer<typeof studioDefinitionSchema>;
export type StudioState = StudioDefinition['states'][number];
export type StudioTransition = StudioState['transitions'][number];
export type StudioCondition = NonNullable<StudioTransition['conditions']>[number];
