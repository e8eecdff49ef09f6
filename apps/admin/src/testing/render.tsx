import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { Providers } from '../app/providers';

/** Renders a page as the app does (theme, notifications, modals, queries), at `path` of a router of `routes`. */
export function renderPage(
  element: ReactElement,
  { path = '/', pattern = '*' }: { path?: string; pattern?: string } = {},
) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: pattern, element }], { initialEntries: [path] });
  return render(
    <Providers client={client} env="test">
      <RouterProvider router={router} />
    </Providers>,
  );
}
