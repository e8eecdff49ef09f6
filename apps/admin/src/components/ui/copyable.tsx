import { ActionIcon, Box, Collapse, CopyButton, Group, TextInput, Tooltip } from '@mantine/core';
import { QRCodeSVG } from 'qrcode.react';
import { useState } from 'react';
import { CheckIcon, CopyIcon, QrIcon } from './icons';

/**
 * A value a user is handed (a subscription URL, a share link): shown read-only, with Copy and its QR code (shown at
 * once with `qrShown`, else behind a button; none with `withQr` false, for a secret typed into a config file).
 */
export function Copyable({
  label,
  value,
  qrShown = false,
  withQr = true,
}: {
  label: string;
  value: string;
  qrShown?: boolean;
  withQr?: boolean;
}) {
  const [qr, setQr] = useState(qrShown);
  return (
    <Box>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          label={label}
          value={value}
          readOnly
          onFocus={(event) => event.currentTarget.select()}
          style={{ flex: 1, minWidth: 0 }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon
                variant="light"
                size="lg"
                color={copied ? 'teal' : undefined}
                onClick={copy}
                aria-label={`Copy ${label}`}
              >
                {copied ? <CheckIcon /> : <CopyIcon />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
        {withQr && (
          <Tooltip label={qr ? 'Hide QR code' : 'Show QR code'} withArrow>
            <ActionIcon
              variant={qr ? 'filled' : 'light'}
              size="lg"
              onClick={() => setQr((shown) => !shown)}
              aria-label={`QR code of ${label}`}
              aria-pressed={qr}
            >
              <QrIcon />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      <Collapse expanded={withQr && qr}>
        {/* Dark modules on white whatever the scheme: that is what phone cameras read. */}
        <Box mt="xs" p="xs" bg="white" w="fit-content" style={{ borderRadius: 'var(--mantine-radius-sm)' }}>
          <QRCodeSVG value={value} size={176} marginSize={2} role="img" aria-label={`QR code: ${label}`} />
        </Box>
      </Collapse>
    </Box>
  );
}
