// Canvas edits (web/src/journey/edit.ts) are edits of the YAML text: they keep
// comments and order, rewire what pointed at a removed step, and the result
// passes the server's validator.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { journeyDefinitionSchema } from '../../journeys/schema';
import { addStep, connect, looseDefinition, moveStep, removeStep, renameStep, setStepField } from '../../web/src/journey/edit';

const base = ['# the trial journey', 'key: trial', 'name: Trial', 'trigger: { type: event, event: trial_started }', 'steps: []', ''].join(
  '\n',
);
const ids = (text: string) => (parse(text) as { steps: { id: string }[] }).steps.map((s) => s.id);

describe('canvas edits', () => {
  it('builds a journey step by step, keeping the comment, into a valid definition', () => {
    let t = addStep(base, 'send_email', null).text;
    t = addStep(t, 'wait', 'email').text;
    t = addStep(t, 'exit', 'wait').text;
    t = setStepField(t, 'wait', ['duration'], '2d');
    expect(t.startsWith('# the trial journey')).toBe(true);
    expect(ids(t)).toEqual(['email', 'wait', 'exit']);
    expect(journeyDefinitionSchema.safeParse(parse(t)).success).toBe(true);
    expect(looseDefinition(t)?.steps.map((s) => s.type)).toEqual(['send_email', 'wait', 'exit']);
  });

  it('connects exits, leaves a next to the following step implicit, and refuses to end a plain step', () => {
    let t = addStep(base, 'branch', null).text;
    t = addStep(t, 'send_email', 'branch').text;
    t = addStep(t, 'exit', 'email').text;
    t = connect(t, 'branch', ['cases', 0, 'next'], 'email');
    t = connect(t, 'branch', ['otherwise'], 'exit');
    t = connect(t, 'email', ['next'], 'exit'); // the following step anyway
    const def = parse(t) as { steps: Record<string, unknown>[] };
    expect(def.steps[0]).toMatchObject({ cases: [{ next: 'email' }], otherwise: 'exit' });
    expect(def.steps[1]!.next).toBeUndefined();
    expect(() => connect(t, 'email', ['next'], null)).toThrow(/exit step/);
    expect(journeyDefinitionSchema.safeParse(def).success).toBe(true);
  });

  it('removes a step and rewires what pointed at it to where it went on', () => {
    let t = addStep(base, 'branch', null).text;
    t = addStep(t, 'wait', 'branch').text;
    t = addStep(t, 'exit', 'wait').text;
    t = connect(t, 'branch', ['cases', 0, 'next'], 'wait');
    t = removeStep(t, 'wait');
    expect(ids(t)).toEqual(['branch', 'exit']);
    expect((parse(t) as { steps: Record<string, unknown>[] }).steps[0]).toMatchObject({ cases: [{ next: 'exit' }] });
  });

  it('reorders and renames (references follow)', () => {
    let t = addStep(base, 'wait', null).text;
    t = addStep(t, 'send_email', 'wait').text;
    t = addStep(t, 'wait_for_event', 'email').text;
    t = connect(t, 'wait_for_event', ['onTimeout'], 'email');
    t = moveStep(t, 'email', -1);
    expect(ids(t)).toEqual(['email', 'wait', 'wait_for_event']);
    t = renameStep(t, 'email', 'hello');
    expect(ids(t)).toEqual(['hello', 'wait', 'wait_for_event']);
    expect((parse(t) as { steps: Record<string, unknown>[] }).steps[2]).toMatchObject({ onTimeout: 'hello' });
    expect(() => renameStep(t, 'hello', 'wait')).toThrow(/already/);
  });

  it('moves an explicit next to a step inserted after it', () => {
    let t = addStep(base, 'send_email', null).text;
    t = addStep(t, 'wait', 'email').text;
    t = addStep(t, 'exit', 'wait').text;
    t = connect(t, 'email', ['next'], 'exit');
    t = addStep(t, 'update_contact', 'email').text;
    const steps = (parse(t) as { steps: Record<string, unknown>[] }).steps;
    expect(steps.map((s) => s.id)).toEqual(['email', 'update_contact', 'wait', 'exit']);
    expect(steps[0]!.next).toBeUndefined();
    expect(steps[1]!.next).toBe('exit');
  });
});
