import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { createBrowserRouter, NavLink, Outlet, RouterProvider } from 'react-router';
import { LoginPage } from '../features/auth/components/login-page';
import { DashboardPage } from '../features/dashboard/components/dashboard-page';
import { GroupsPage } from '../features/groups/components/groups-page';
import { NodesPage } from '../features/nodes/components/nodes-page';
import { NodeRoute } from './routes/node-route';
import { UserRoute } from './routes/user-route';
import { UsersPage } from '../features/users/components/users-page';
import { RebalancePage } from '../features/rebalance/components/rebalance-page';
import { EventsPage } from '../features/events/components/events-page';
import { session } from '../lib/session';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 2000 } } });

function Layout() {
  return (
    <div className="layout">
      <nav aria-label="Main">
        <strong>VPN fleet</strong>
        <NavLink to="/">Dashboard</NavLink>
        <NavLink to="/nodes">Nodes</NavLink>
        <NavLink to="/groups">Groups</NavLink>
        <NavLink to="/users">Users</NavLink>
        <NavLink to="/rebalance">Rebalance</NavLink>
        <NavLink to="/events">Events</NavLink>
        <button type="button" onClick={() => session.clear()}>
          Sign out
        </button>
      </nav>
      <main>
        <Outlet />
      </main>
    </div>
  );
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <DashboardPage /> },
      { path: '/nodes', element: <NodesPage /> },
      { path: '/nodes/:id', element: <NodeRoute /> },
      { path: '/groups', element: <GroupsPage /> },
      { path: '/users', element: <UsersPage /> },
      { path: '/users/:id', element: <UserRoute /> },
      { path: '/rebalance', element: <RebalancePage /> },
      { path: '/events', element: <EventsPage /> },
    ],
  },
]);

/** Signed in: the app; otherwise (or after any 401) the login page. */
export function App() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  return (
    <QueryClientProvider client={queryClient}>
      {token ? <RouterProvider router={router} /> : <LoginPage />}
    </QueryClientProvider>
  );
}
