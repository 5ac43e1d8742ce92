import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Outlet, useLocation } from 'react-router';
import { useAuth, useUser } from '../features/auth/AuthProvider';
import { can, ROLE_LABELS, type Permission } from '../features/auth/roles';

const NAV: { to: string; label: string; permission?: Permission }[] = [
  { to: '/', label: 'Today' },
  { to: '/schedule', label: 'Schedule', permission: 'screen.schedule' },
  { to: '/clients', label: 'Clients', permission: 'screen.clients' },
];

export function AppLayout() {
  const user = useUser();
  const { signOut } = useAuth();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const items = NAV.filter((item) => !item.permission || can(user.role, item.permission));
  const active = (to: string) =>
    to === '/' ? location.pathname === '/' : location.pathname.startsWith(to);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 200, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="md"
              size="sm"
              aria-label={opened ? 'Close menu' : 'Open menu'}
            />
            <Title order={2} size="h3" c="teal.9">
              Homeward
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" ta="right" lh={1.2}>
              <span data-testid="signed-in-user">{user.full_name}</span>
              <br />
              <Text span size="xs" c="dimmed">
                {ROLE_LABELS[user.role]}
              </Text>
            </Text>
            <Button variant="default" size="sm" onClick={() => void signOut('signed_out')}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <nav aria-label="Main navigation">
          {items.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={active(item.to)}
              aria-current={active(item.to) ? 'page' : undefined}
              onClick={close}
              styles={{ root: { minHeight: 44, borderRadius: 6 } }}
            />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
