import { Button, ButtonProps, Modal } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** A button that opens a dialog; its content is made fresh at each opening and is handed the way to close it. */
export function ModalButton(props: {
  label: string;
  title: string;
  variant?: ButtonProps['variant'];
  /** False when a click beside the dialog must not lose what it shows (a secret shown once). */
  closeOnClickOutside?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button variant={props.variant} onClick={open}>
        {props.label}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={props.title}
        size="lg"
        closeOnClickOutside={props.closeOnClickOutside}
      >
        {opened && props.children(close)}
      </Modal>
    </>
  );
}
