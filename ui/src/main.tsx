import { render } from 'preact';
import { App } from './app';
import './styles/base.css';
import './styles/controls.css';
import './styles/data.css';
// Last: its phone rules override the others.
import './styles/layout.css';

render(<App />, document.getElementById('app')!);
