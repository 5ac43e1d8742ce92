import { Alert, Button, Checkbox, Divider, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, ok, type Schemas } from '../../lib/api';
import { describeError, fieldErrors } from '../../lib/problem';
import { useUser } from '../auth/AuthProvider';
import { can } from '../auth/roles';

type Contact = Schemas['ContactCreate'];
const SEXES: Schemas['Sex'][] = ['female', 'male', 'intersex', 'unknown'];
const DETOX: Schemas['homeward__patients__schemas__DetoxStatus'][] = ['not_needed', 'in_progress', 'completed'];
const emptyContact = (): Contact => ({ name: '', relationship_to_patient: '', phone: '', email: null, joins_family_program: false });
const addYear = (d: string) => `${Number(d.slice(0, 4)) + 1}${d.slice(4)}`;

export function NewClientDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (p: Schemas['PatientRead']) => void }) {
  const user = useUser();
  const [given, setGiven] = useState('');
  const [family, setFamily] = useState('');
  const [dob, setDob] = useState('');
  const [sex, setSex] = useState<Schemas['Sex']>('unknown');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [detox, setDetox] = useState<Schemas['homeward__patients__schemas__DetoxStatus'] | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [consent, setConsent] = useState(false);
  const [consentTo, setConsentTo] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canConsent = can(user.role, 'consent.write');

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const patient = await ok(
        api.POST('/api/v1/patients', {
          body: {
            given_name: given,
            family_name: family,
            date_of_birth: dob,
            sex,
            phone: phone || null,
            email: email || null,
            contacts: contacts.map((c) => ({ ...c, phone: c.phone || null, email: c.email || null })),
            medical_profile: { detox_status: detox, conditions: [], medications: [] },
          },
        }),
      );
      if (consent && canConsent) {
        const signed = new Date().toISOString().slice(0, 10);
        await ok(
          api.POST('/api/v1/patients/{patient_id}/consents', {
            params: { path: { patient_id: patient.id } },
            body: { recipient_name: consentTo, purpose: 'Coordination of care', scopes: ['status_updates'], signed_on: signed, expires_on: addYear(signed) },
          }),
        );
      }
      onCreated(patient);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  const contactFields = contacts.flatMap((_, i) => ['name', 'relationship_to_patient', 'phone', 'email'].map((f) => `contacts.${i}.${f}`));
  const fields = fieldErrors(error, ['given_name', 'family_name', 'date_of_birth', 'sex', 'phone', 'email', 'contacts', ...contactFields, 'recipient_name']);
  const problem = error ? describeError(error) : null;
  const setContact = (i: number, c: Partial<Contact>) => setContacts((all) => all.map((x, j) => (j === i ? { ...x, ...c } : x)));
  return (
    <Modal opened onClose={onClose} title="New client" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          {problem ? (
            <Alert color="red" title={problem.title} role="alert">
              {fields[''] ?? (Object.keys(fields).length ? 'Check the fields marked below.' : problem.detail)}
            </Alert>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" value={given} onChange={(e) => setGiven(e.currentTarget.value)} error={fields.given_name} />
            <TextInput label="Last name" value={family} onChange={(e) => setFamily(e.currentTarget.value)} error={fields.family_name} />
            <TextInput label="Date of birth" type="date" value={dob} onChange={(e) => setDob(e.currentTarget.value)} error={fields.date_of_birth} />
            <Select label="Sex" data={SEXES.map((s) => ({ value: s, label: s.charAt(0).toUpperCase() + s.slice(1) }))} value={sex} onChange={(v) => v && setSex(v as Schemas['Sex'])} comboboxProps={{ withinPortal: true }} />
            <TextInput label="Phone" type="tel" value={phone} onChange={(e) => setPhone(e.currentTarget.value)} error={fields.phone} />
            <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fields.email} />
          </SimpleGrid>
          <Divider label="Medical profile" labelPosition="left" />
          <Select
            label="Detox"
            placeholder="Not assessed"
            clearable
            data={DETOX.map((d) => ({ value: d, label: d.replace('_', ' ') }))}
            value={detox}
            onChange={(v) => setDetox(v as Schemas['homeward__patients__schemas__DetoxStatus'] | null)}
            comboboxProps={{ withinPortal: true }}
          />
          <Divider label="Contacts" labelPosition="left" />
          {contacts.map((c, i) => (
            <SimpleGrid cols={{ base: 1, sm: 2 }} key={i}>
              <TextInput label={`Contact ${i + 1} name`} value={c.name} onChange={(e) => setContact(i, { name: e.currentTarget.value })} error={fields[`contacts.${i}.name`]} />
              <TextInput label="Relationship" value={c.relationship_to_patient} onChange={(e) => setContact(i, { relationship_to_patient: e.currentTarget.value })} error={fields[`contacts.${i}.relationship_to_patient`]} />
              <TextInput label="Phone" type="tel" value={c.phone ?? ''} onChange={(e) => setContact(i, { phone: e.currentTarget.value })} error={fields[`contacts.${i}.phone`]} />
              <Checkbox mt="lg" label="Joins the family program" checked={c.joins_family_program} onChange={(e) => setContact(i, { joins_family_program: e.currentTarget.checked })} />
            </SimpleGrid>
          ))}
          {fields.contacts ? <Text c="red.9" size="sm">{fields.contacts}</Text> : null}
          <Group>
            <Button variant="default" onClick={() => setContacts((all) => [...all, emptyContact()])}>
              Add a contact
            </Button>
          </Group>
          {canConsent ? (
            <>
              <Divider label="Consent" labelPosition="left" />
              <Checkbox label="The client signed a consent to share status updates (for one year)" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
              {consent ? <TextInput label="Shared with" value={consentTo} onChange={(e) => setConsentTo(e.currentTarget.value)} error={fields.recipient_name} /> : null}
            </>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create the client
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
