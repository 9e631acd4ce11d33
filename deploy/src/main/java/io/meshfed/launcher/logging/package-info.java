/** How the launcher's processes log: logback configured in code, overridable by a configuration file. */
package io.meshfed.launcher.logging;
