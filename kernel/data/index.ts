export { loadDigits } from './digits';
