import '@testing-library/jest-dom/vitest';
import { afterEach, vi } from 'vitest';
import { cleanup } from '@testing-library/react';
import { notifications } from '@mantine/notifications';

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

// Mantine follows the system's colour scheme and breakpoints through matchMedia; jsdom has none (a light desktop).
Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }),
});

// Mantine's select scrolls the chosen option into view when its list opens; jsdom does not scroll.
Element.prototype.scrollIntoView = () => undefined;

afterEach(() => {
  cleanup();
  notifications.clean(); // the notifications' store outlives a test; a full one queues the next test's

  sessionStorage.clear();
  localStorage.clear();
  vi.unstubAllGlobals();
});
