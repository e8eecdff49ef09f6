import { ActionIcon, Menu } from '@mantine/core';
import type { ReactNode } from 'react';

/** A table row's actions behind one "⋯" button (its `Menu.Item`s as children): the table stays narrow on a phone. */
export function RowActions({ name, children }: { name: string; children: ReactNode }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${name}`}>
          ⋯
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}
