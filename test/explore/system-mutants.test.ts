/**
 * ModelError (src/explore/system.ts): what the explorers and the CLI read of it.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/explore/system.js';

describe('ModelError', () => {
  it('is an Error named ModelError that keeps its kind, message, location and label', () => {
    const e = new ModelError('assert', 'x > 0 fails', { line: 3 }, 'Inc(1)');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ModelError');
    expect(String(e)).toBe('ModelError: x > 0 fails');
    expect([e.kind, e.message, e.location, e.label]).toEqual(['assert', 'x > 0 fails', { line: 3 }, 'Inc(1)']);
    const bare = new ModelError('runtime', 'division by zero');
    expect([bare.kind, bare.location, bare.label]).toEqual(['runtime', undefined, undefined]);
    // The explorer sets the label of the step once it knows it.
    bare.label = 'Div';
    expect(bare.label).toBe('Div');
  });
});
