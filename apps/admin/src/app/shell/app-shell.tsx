import { AppShell, Badge, Burger, Button, Group, Menu, NavLink, ScrollArea, Title } from '@mantine/core';
import type { Scope } from '@fleet/contract';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { useMe } from '../../lib/queries/me';
import { session } from '../../lib/session';
import { signOutEverywhere } from '../../lib/sign-out';
import { AttentionStrip, useAttentionTotal } from './attention-strip';
import { ColorSchemeControl } from './color-scheme-control';
import { PageLoading } from './page-states';

/** The navbar's sections, each shown to a caller with the scope its page needs. */
const SECTIONS: Array<{ to: string; label: string; scope: Scope }> = [
  { to: '/', label: 'Dashboard', scope: 'nodes:read' },
  { to: '/nodes', label: 'Nodes', scope: 'nodes:read' },
  { to: '/groups', label: 'Groups', scope: 'nodes:read' },
  { to: '/users', label: 'Users', scope: 'users:read' },
  { to: '/rebalance', label: 'Rebalance', scope: 'nodes:read' },
  { to: '/events', label: 'Events', scope: 'events:read' },
  { to: '/admins', label: 'Admins', scope: 'admins:manage' },
  { to: '/tokens', label: 'API tokens', scope: 'tokens:manage' },
];

/** The frame of every page: a header, a navbar (a drawer below 48em, closed after each choice), the page. */
export function FleetShell() {
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const attention = useAttentionTotal();
  const me = useMe().data;
  const sections = SECTIONS.filter(({ scope }) => me?.scopes.includes(scope));
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={4} component="p">
              VPN fleet
            </Title>
          </Group>
          <AccountMenu name={me?.name} role={me?.role} />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          {sections.map(({ to, label }) => (
            <NavLink
              key={to}
              component={RouterLink}
              to={to}
              label={label}
              rightSection={
                to === '/' && attention > 0 ? (
                  <Badge size="sm" color="orange" circle aria-label={`${attention} need attention`}>
                    {attention}
                  </Badge>
                ) : null
              }
              active={to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`)}
              onClick={close}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <ColorSchemeControl />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <AttentionStrip />
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

/** Who is signed in, their account page, and signing out (here, or in every browser). */
function AccountMenu({ name, role }: { name?: string; role?: string | null }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="subtle" size="compact-sm">
          Account
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {name && <Menu.Label>{role ? `${name} · ${role}` : name}</Menu.Label>}
        <Menu.Item component={RouterLink} to="/account">
          My account
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item onClick={() => session.clear()}>Sign out</Menu.Item>
        <Menu.Item color="red" onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
