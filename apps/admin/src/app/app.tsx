import { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { LoginPage } from '../features/auth/components/login-page';
import { session } from '../lib/session';
import { Providers } from './providers';
import { FleetShell } from './shell/app-shell';
import { NotFound, RouteError } from './shell/page-states';
import { RequireScope } from './shell/require-scope';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 2000 } } });
// Signing out forgets every answer: whoever signs in next sees only what their own role may see.
session.subscribe(() => {
  if (!session.token()) queryClient.clear();
});

/** Each page is its own chunk, loaded when first visited. */
const router = createBrowserRouter([
  {
    element: <FleetShell />,
    errorElement: <RouteError />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          {
            path: '/',
            lazy: async () => ({
              Component: (await import('../features/dashboard/components/dashboard-page')).DashboardPage,
            }),
          },
          {
            path: '/nodes',
            lazy: async () => ({ Component: (await import('../features/nodes/components/nodes-page')).NodesPage }),
          },
          { path: '/nodes/:id', lazy: async () => ({ Component: (await import('./routes/node-route')).NodeRoute }) },
          {
            path: '/groups',
            lazy: async () => ({ Component: (await import('../features/groups/components/groups-page')).GroupsPage }),
          },
          {
            path: '/users',
            lazy: async () => ({ Component: (await import('../features/users/components/users-page')).UsersPage }),
          },
          { path: '/users/:id', lazy: async () => ({ Component: (await import('./routes/user-route')).UserRoute }) },
          {
            path: '/rebalance',
            lazy: async () => ({
              Component: (await import('../features/rebalance/components/rebalance-page')).RebalancePage,
            }),
          },
          {
            path: '/events',
            lazy: async () => ({ Component: (await import('../features/events/components/events-page')).EventsPage }),
          },
          {
            element: <RequireScope scope="admins:manage" doing="manage admins" />,
            children: [
              {
                path: '/admins',
                lazy: async () => ({
                  Component: (await import('../features/admins/components/admins-page')).AdminsPage,
                }),
              },
            ],
          },
          {
            element: <RequireScope scope="tokens:manage" doing="manage API tokens" />,
            children: [
              {
                path: '/tokens',
                lazy: async () => ({
                  Component: (await import('../features/tokens/components/tokens-page')).TokensPage,
                }),
              },
            ],
          },
          {
            path: '/account',
            lazy: async () => ({
              Component: (await import('../features/account/components/account-page')).AccountPage,
            }),
          },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);

/** Signed in: the app; otherwise (or after any 401) the login page. */
export function App() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  return <Providers client={queryClient}>{token ? <RouterProvider router={router} /> : <LoginPage />}</Providers>;
}
