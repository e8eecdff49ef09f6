import { describe, expect, it } from 'vitest';
import { humanMessage } from './field-labels';

describe('humanMessage', () => {
  it('names the field by its label, nested or not, and says a byte ceiling plainly', () => {
    expect(humanMessage('deviceLimit must not be greater than 100')).toBe('Device limit must not be greater than 100');
    expect(humanMessage('plan.trafficLimitBytes must not be greater than 9007199254740991')).toBe(
      'Traffic limit is too large',
    );
    expect(humanMessage('maxUsers must be an integer number')).toBe('Capacity must be an integer number');
  });

  it('leaves a sentence that names no known field as it is', () => {
    expect(humanMessage('no healthy node with free capacity in the group')).toBe(
      'no healthy node with free capacity in the group',
    );
    expect(humanMessage('unknown subscription')).toBe('unknown subscription');
  });
});
