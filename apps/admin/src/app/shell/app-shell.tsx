import { AppShell, Badge, Burger, Button, Group, Menu, NavLink, ScrollArea, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { call, fleet } from '../../lib/api-client';
import { session } from '../../lib/session';
import { AttentionStrip, useAttentionTotal } from './attention-strip';
import { ColorSchemeControl } from './color-scheme-control';
import { PageLoading } from './page-states';

const SECTIONS = [
  { to: '/', label: 'Dashboard' },
  { to: '/nodes', label: 'Nodes' },
  { to: '/groups', label: 'Groups' },
  { to: '/users', label: 'Users' },
  { to: '/rebalance', label: 'Rebalance' },
  { to: '/events', label: 'Events' },
];

/** Ends every session of this admin (every browser's), this one included. */
async function signOutEverywhere(): Promise<void> {
  await call(fleet.POST('/api/v1/auth/logout-all')).catch(() => undefined);
  session.clear();
}

/** The frame of every page: a header, a navbar (a drawer below 48em, closed after each choice), the page. */
export function FleetShell() {
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const attention = useAttentionTotal();
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
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="subtle" size="compact-sm">
                Account
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => session.clear()}>Sign out</Menu.Item>
              <Menu.Item color="red" onClick={() => void signOutEverywhere()}>
                Sign out everywhere
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          {SECTIONS.map(({ to, label }) => (
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
