import { createTheme } from '@mantine/core';

/** The dashboard's look: Mantine's defaults, the fleet's colour, system fonts. */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});
