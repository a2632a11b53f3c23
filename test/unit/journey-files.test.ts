import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../journeys/duration';
import { parseJourneyYaml, readJourneyFiles } from '../../journeys/files';

describe('journey definitions', () => {
  it('parses durations', () => {
    expect(parseDuration('3d')).toBe(3 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('3 days')).toBeNull();
    expect(parseDuration('0s')).toBeNull();
  });

  it('loads every shipped definition', () => {
    const defs = readJourneyFiles();
    expect(defs.map((d) => d.key)).toContain('welcome');
  });

  it('reports errors with file, line and path', () => {
    const yaml = [
      'key: broken',
      'name: Broken',
      'trigger: { type: event, event: signed_up }',
      'steps:',
      '  - id: a',
      '    type: wait',
      '    duration: soon',
      '  - id: b',
      '    type: send_email',
      '    template: welcome',
      '    next: nowhere',
    ].join('\n');
    let message = '';
    try {
      parseJourneyYaml('broken.yaml', yaml);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('broken.yaml:7: steps.0.duration: must be a duration');
    expect(message).toContain('broken.yaml:11: steps.1.next: unknown step "nowhere"');
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseJourneyYaml('bad.yaml', 'key: a\nsteps: [\n')).toThrowError(/^bad\.yaml:\d+:/);
  });
});
