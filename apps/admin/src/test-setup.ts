import '@testing-library/jest-dom/vitest';
import { afterEach, vi } from 'vitest';
import { cleanup } from '@testing-library/react';

// recharts' ResponsiveContainer measures its box; jsdom has no layout.
class FixedSizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target, contentRect: { width: 800, height: 260 } } as ResizeObserverEntry], this as never);
  }
  unobserve() {
    // nothing to release: this observer reports one fixed size, once
  }
  disconnect() {
    // as above
  }
}
globalThis.ResizeObserver = FixedSizeObserver as unknown as typeof ResizeObserver;

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  vi.unstubAllGlobals();
});
