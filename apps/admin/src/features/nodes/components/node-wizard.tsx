import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  PasswordInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { NODE_DEFAULTS, NODE_LIMITS, serverName, type ConnectionTest, type NodeView } from '@fleet/contract';
import { useState } from 'react';
import { ModalButton } from '../../../components/ui/modal-button';
import { ApiError } from '../../../lib/api-client';
import { useGroups } from '../../../lib/queries/groups';
import { NodeInput, useCreateNode, useTestConnection, useTestPanel, useUpdateNode } from '../../../lib/queries/nodes';

interface NodeFields {
  panelUrl: string;
  panelUsername: string;
  panelPassword: string;
  panelApiToken: string;
  tlsVerify: boolean;
  inboundId: string;
  name: string;
  groupId: string | null;
  location: string;
  publicHost: string;
  maxUsers: number | string;
  priority: number | string;
  weight: number | string;
}

/** Which step asks for each field the API may refuse. */
const STEP_OF: Record<string, number> = {
  panelUrl: 0,
  panelUsername: 0,
  panelPassword: 0,
  panelApiToken: 0,
  tlsVerify: 0,
  inboundId: 1,
  name: 2,
  groupId: 2,
  location: 2,
  publicHost: 2,
  maxUsers: 2,
  priority: 2,
  weight: 2,
};

const required = (label: string) => (value: unknown) =>
  value === '' || value === null || value === undefined ? `${label} is required` : null;

/** "Add node": a button that opens the wizard. */
export function AddNodeButton() {
  return (
    <ModalButton label="Add node" title="Add a node">
      {(close) => <NodeWizard onDone={close} />}
    </ModalButton>
  );
}

/** "Edit": the same wizard, filled in with the node's settings. */
export function EditNodeButton({ node }: { node: NodeView }) {
  return (
    <ModalButton label="Edit" title={`Edit ${node.name}`} variant="default">
      {(close) => <NodeWizard node={node} onDone={close} />}
    </ModalButton>
  );
}

const EMPTY: NodeFields = {
  panelUrl: '',
  panelUsername: '',
  panelPassword: '',
  panelApiToken: '',
  tlsVerify: true,
  inboundId: '',
  name: '',
  groupId: null,
  location: '',
  publicHost: '',
  maxUsers: '',
  priority: NODE_DEFAULTS.priority,
  weight: NODE_DEFAULTS.weight,
};

/** The form's values for a saved node; its secrets stay blank ("unchanged"). */
const fieldsOf = (node: NodeView): NodeFields => ({
  ...EMPTY,
  panelUrl: node.panelUrl,
  panelUsername: node.panelUsername,
  tlsVerify: node.tlsVerify,
  inboundId: node.inboundId === null ? '' : String(node.inboundId),
  name: node.name,
  groupId: String(node.groupId),
  location: node.location ?? '',
  publicHost: node.publicHost ?? '',
  maxUsers: node.maxUsers,
  priority: node.priority,
  weight: node.weight,
});

/** What the API receives: every field filled in; for a saved node, only what changed (blank text clears it). */
function inputOf(values: NodeFields, node?: NodeView): NodeInput {
  const input: NodeInput = {
    panelUrl: values.panelUrl.trim(),
    panelUsername: values.panelUsername.trim(),
    ...(values.panelPassword ? { panelPassword: values.panelPassword } : {}),
    ...(values.panelApiToken ? { panelApiToken: values.panelApiToken } : {}),
    tlsVerify: values.tlsVerify,
    inboundId: Number(values.inboundId),
    name: values.name.trim(),
    ...(values.groupId ? { groupId: Number(values.groupId) } : {}),
    location: values.location.trim() || null,
    publicHost: values.publicHost.trim() || null,
    maxUsers: Number(values.maxUsers),
    priority: Number(values.priority),
    weight: Number(values.weight),
  };
  const saved: Record<string, unknown> | undefined = node && { ...node };
  return Object.fromEntries(
    Object.entries(input).filter(([field, value]) => (saved ? saved[field] !== value : value !== null)),
  ) as NodeInput;
}

/**
 * A panel becomes a node in three steps: its address and sign-in, tried before anything is saved (a failure must be
 * overridden explicitly); its inbound, chosen from the panel's own list; then the node's name, group and capacity
 * (no default capacity: a forgotten one would draw every failover to this node). A saved node (`node`) is edited in
 * the same steps: its sign-in needs a new test only when it changed, and only what changed is sent.
 */
export function NodeWizard({ node, onDone }: { node?: NodeView; onDone: () => void }) {
  const [step, setStep] = useState(0);
  const [tested, setTested] = useState<ConnectionTest | null>(null);
  const [override, setOverride] = useState(false);
  const [signInChanged, setSignInChanged] = useState(false);
  const testPanel = useTestPanel();
  const testSaved = useTestConnection();
  const createNode = useCreateNode();
  const updateNode = useUpdateNode(node?.id ?? 0);
  const save = node ? updateNode : createNode;
  const groups = useGroups().data ?? [];
  const form = useForm<NodeFields>({
    initialValues: node ? fieldsOf(node) : EMPTY,
    validate: (values) =>
      step === 0
        ? {
            panelUrl: required('Panel URL')(values.panelUrl.trim()),
            panelUsername: required('Panel username')(values.panelUsername.trim()),
            // A saved node is tried with its stored password while its address and sign-in are unchanged.
            panelPassword: node && !signInChanged ? null : required('Panel password')(values.panelPassword),
          }
        : step === 1
          ? { inboundId: required('Inbound')(values.inboundId) }
          : { name: required('Name')(values.name.trim()), maxUsers: required('Capacity')(values.maxUsers) },
  });
  const panel = () => ({
    panelUrl: form.values.panelUrl.trim(),
    panelUsername: form.values.panelUsername.trim(),
    panelPassword: form.values.panelPassword,
    ...(form.values.panelApiToken ? { panelApiToken: form.values.panelApiToken } : {}),
    tlsVerify: form.values.tlsVerify,
  });
  const test = () => {
    if (form.validate().hasErrors) return;
    setTested(null);
    const tryIt = node && !signInChanged ? () => testSaved.mutateAsync(node.id) : () => testPanel.mutateAsync(panel());
    tryIt().then(
      (result) => {
        setTested(result);
        const usable = result.inbounds.filter((inbound) => inbound.enable);
        if (result.ok && usable.length === 1 && !form.values.inboundId) {
          form.setFieldValue('inboundId', String(usable[0].id));
        }
      },
      (error: unknown) => {
        if (error instanceof ApiError)
          for (const [field, message] of Object.entries(error.fieldErrors())) form.setFieldError(field, message);
      },
    );
  };
  // Whatever changes the panel's address or sign-in makes the last test stale.
  const signInEdited = () => {
    setTested(null);
    setOverride(false);
    setSignInChanged(true);
  };
  const panelField = (name: keyof NodeFields) => {
    const props = form.getInputProps(name);
    return {
      ...props,
      onChange: (value: unknown) => {
        signInEdited();
        props.onChange(value);
      },
    };
  };
  const next = () => {
    if (!form.validate().hasErrors) setStep((current) => current + 1);
  };
  const submit = () => {
    if (form.validate().hasErrors) return;
    save.mutate(inputOf(form.values, node), {
      onSuccess: (saved) => {
        notifications.show({
          color: 'teal',
          title: node ? 'Node saved' : 'Node added',
          message: node ? saved.name : `${saved.name}: checking its health now`,
        });
        onDone();
      },
      onError: (error) => {
        if (!(error instanceof ApiError)) return;
        const fields = Object.entries(error.fieldErrors()).filter(([field]) => field in STEP_OF);
        for (const [field, message] of fields) form.setFieldError(field, message);
        if (fields.length) setStep(Math.min(...fields.map(([field]) => STEP_OF[field])));
      },
    });
  };
  const canLeavePanel = tested?.ok || override || (node && !signInChanged);
  const unplaced =
    save.error instanceof ApiError && !Object.keys(save.error.fieldErrors()).some((f) => f in STEP_OF)
      ? save.error.message
      : null;
  return (
    <Stack>
      <Stepper active={step} onStepClick={(index) => index < step && setStep(index)} size="sm">
        <Stepper.Step label="Panel" description="Address and sign-in">
          <Stack gap="sm" mt="md">
            <TextInput
              label="Panel URL"
              description="With its base path, e.g. https://panel.example.com:2053/secret/"
              required
              {...panelField('panelUrl')}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="Panel username" required {...panelField('panelUsername')} />
              <PasswordInput
                label="Panel password"
                required={!node}
                placeholder={node ? 'unchanged' : undefined}
                {...panelField('panelPassword')}
              />
            </SimpleGrid>
            <PasswordInput
              label="Panel API token"
              description="3x-ui 3.x: used instead of the password when set"
              placeholder={node?.hasPanelApiToken ? 'unchanged' : undefined}
              {...panelField('panelApiToken')}
            />
            <Checkbox
              label="Verify the panel's TLS certificate"
              checked={form.values.tlsVerify}
              onChange={(event) => {
                signInEdited();
                form.setFieldValue('tlsVerify', event.currentTarget.checked);
              }}
            />
            <Group>
              <Button variant="light" onClick={test} loading={testPanel.isPending || testSaved.isPending}>
                Test connection
              </Button>
            </Group>
            {tested?.ok && (
              <Alert color="teal" title="Signed in" role="status">
                {tested.responseTimeMs} ms; {tested.inbounds.length} inbound(s) on the panel.
              </Alert>
            )}
            {tested && !tested.ok && (
              <Alert color="red" title="The panel cannot be used" role="alert">
                <Text size="sm">{tested.error}</Text>
                {tested.panelText && (
                  <Text size="sm" c="dimmed">
                    The panel said: {tested.panelText}
                  </Text>
                )}
                <Checkbox
                  mt="sm"
                  label="Add it anyway (it stays unhealthy, with no users, until it answers)"
                  checked={override}
                  onChange={(event) => setOverride(event.currentTarget.checked)}
                />
              </Alert>
            )}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Inbound" description="Where its users connect">
          <Stack gap="sm" mt="md">
            {tested?.ok && tested.inbounds.length ? (
              <Radio.Group label="Inbound" required {...form.getInputProps('inboundId')}>
                <Stack gap="xs" mt="xs">
                  {tested.inbounds.map((inbound) => (
                    <Radio
                      key={inbound.id}
                      value={String(inbound.id)}
                      disabled={!inbound.enable}
                      label={`#${inbound.id} ${inbound.protocol}:${inbound.port}${inbound.remark ? ` — ${inbound.remark}` : ''}${inbound.enable ? '' : ' (disabled on the panel)'}`}
                    />
                  ))}
                </Stack>
              </Radio.Group>
            ) : (
              <TextInput
                label="Inbound id"
                description={
                  node && !tested
                    ? 'Test the connection on the first step to choose from the panel’s list'
                    : 'The panel could not list its inbounds: the id as the panel shows it'
                }
                required
                inputMode="numeric"
                {...form.getInputProps('inboundId')}
              />
            )}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Node" description="Name and capacity">
          <Stack gap="sm" mt="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="Name" required maxLength={NODE_LIMITS.nameMaxLength} {...form.getInputProps('name')} />
              <Select
                label="Group"
                placeholder="the first group"
                data={groups.map((group) => ({ value: String(group.id), label: serverName(group) }))}
                clearable
                {...form.getInputProps('groupId')}
              />
              <TextInput label="Location" {...form.getInputProps('location')} />
              <TextInput
                label="Public host for keys"
                description="When users reach it by another name than the panel's"
                {...form.getInputProps('publicHost')}
              />
              <NumberInput
                label="Capacity (users)"
                description="How many users this server can carry"
                required
                min={1}
                max={NODE_LIMITS.maxUsersMax}
                allowDecimal={false}
                {...form.getInputProps('maxUsers')}
              />
              <NumberInput
                label="Priority"
                description="0: standby, used only when the others are full"
                min={0}
                max={NODE_LIMITS.priorityMax}
                allowDecimal={false}
                {...form.getInputProps('priority')}
              />
              <NumberInput
                label="Weight"
                description="Share of new users against nodes of the same priority"
                min={0.01}
                max={NODE_LIMITS.weightMax}
                decimalScale={2}
                {...form.getInputProps('weight')}
              />
            </SimpleGrid>
            {unplaced && (
              <Alert color="red" role="alert">
                {unplaced}
              </Alert>
            )}
          </Stack>
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between">
        <Button variant="default" onClick={step ? () => setStep(step - 1) : onDone}>
          {step ? 'Back' : 'Cancel'}
        </Button>
        {step < 2 ? (
          <Button onClick={next} disabled={step === 0 && !canLeavePanel}>
            Next
          </Button>
        ) : (
          <Button onClick={submit} loading={save.isPending}>
            {node ? 'Save' : 'Add node'}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
