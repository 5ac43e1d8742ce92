import '@mantine/notifications/styles.css';
import { Notifications } from '@mantine/notifications';

/** Where toasts appear; loaded after the first screen, as only actions raise them. */
export default function Toasts() {
  return <Notifications position="bottom-center" />;
}
