import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ReactNode } from 'react';
import { theme } from './theme';

/** Everything a page needs around it: the theme (light, dark or the system's), notifications, modals, queries. */
export function Providers({
  client,
  children,
  env,
}: {
  client: QueryClient;
  children: ReactNode;
  /** `test`: no transitions (nothing left running after a test) and no portals. */
  env?: 'test';
}) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" env={env}>
      <Notifications position="top-right" />
      <ModalsProvider>
        <QueryClientProvider client={client}>{children}</QueryClientProvider>
      </ModalsProvider>
    </MantineProvider>
  );
}
