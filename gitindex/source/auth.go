package source

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// defaultGitUser is the user name for a token without a username (GitHub, GitLab,
// Gitea and Bitbucket accept any non-empty name with a token) and for SSH.
const defaultGitUser = "git"

// ReadSecretFile reads a credential from a file, as a mounted Secret provides it,
// without the trailing newline editors and `kubectl create secret --from-file` leave.
func ReadSecretFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	data = []byte(strings.TrimRight(string(data), "\r\n"))
	if len(data) == 0 {
		return nil, fmt.Errorf("secret file %s is empty", path)
	}
	return data, nil
}

// protocol returns the transport of the URL: file (a local path or file://), http,
// https or ssh (ssh:// or scp-style user@host:path).
func (o Options) protocol() (string, error) {
	ep, err := transport.NewEndpoint(o.URL)
	if err != nil {
		return "", fmt.Errorf("parse repository URL: %w", err)
	}
	switch ep.Protocol {
	case "file", "http", "https", "ssh":
		return ep.Protocol, nil
	}
	return "", fmt.Errorf("repository URL %s: protocol %q is not supported (use https://, ssh://, user@host:path, file:// or a local path)", Redact(o.URL), ep.Protocol)
}

// AuthMethod builds the authentication for the URL from the credential files,
// reading them now: Fetch calls it before every fetch, so a rotated Secret is
// picked up without a restart. It returns Auth when that is set, and nil when no
// credential is configured (go-git's defaults then apply: anonymous HTTPS; the SSH
// agent and ~/.ssh/known_hosts for SSH).
func (o Options) AuthMethod() (transport.AuthMethod, error) {
	if o.Auth != nil {
		return o.Auth, nil
	}
	proto, err := o.protocol()
	if err != nil {
		return nil, err
	}
	switch proto {
	case "ssh":
		return o.sshAuth()
	case "http", "https":
		return o.httpAuth()
	}
	return nil, nil
}

// user reads UsernameFile, or returns def.
func (o Options) user(def string) (string, error) {
	if o.UsernameFile == "" {
		return def, nil
	}
	u, err := ReadSecretFile(o.UsernameFile)
	return strings.TrimSpace(string(u)), err
}

func (o Options) httpAuth() (transport.AuthMethod, error) {
	if o.PasswordFile == "" {
		return nil, nil
	}
	user, err := o.user(defaultGitUser)
	if err != nil {
		return nil, err
	}
	pass, err := ReadSecretFile(o.PasswordFile)
	if err != nil {
		return nil, err
	}
	return &githttp.BasicAuth{Username: user, Password: string(pass)}, nil
}

func (o Options) sshAuth() (transport.AuthMethod, error) {
	if o.SSHKeyFile == "" && o.PasswordFile == "" && o.KnownHostsFile == "" && !o.InsecureIgnoreHostKey {
		return nil, nil
	}
	ep, _ := transport.NewEndpoint(o.URL)
	user, err := o.user(cmp.Or(ep.User, defaultGitUser))
	if err != nil {
		return nil, err
	}
	hostKeys, err := o.hostKeys(net.JoinHostPort(ep.Host, strconv.Itoa(cmp.Or(ep.Port, 22))))
	if err != nil {
		return nil, err
	}
	switch {
	case o.SSHKeyFile != "":
		return o.publicKeys(user, hostKeys)
	case o.PasswordFile != "":
		pass, err := ReadSecretFile(o.PasswordFile)
		if err != nil {
			return nil, err
		}
		return &gitssh.Password{User: user, Password: string(pass), HostKeyCallbackHelper: hostKeys}, nil
	}
	agent, err := gitssh.NewSSHAgentAuth(user)
	if err != nil {
		return nil, fmt.Errorf("ssh: no SSHKeyFile or PasswordFile, and no agent: %w", err)
	}
	agent.HostKeyCallbackHelper = hostKeys
	return agent, nil
}

func (o Options) publicKeys(user string, hostKeys gitssh.HostKeyCallbackHelper) (transport.AuthMethod, error) {
	pem, err := os.ReadFile(o.SSHKeyFile)
	if err != nil {
		return nil, fmt.Errorf("read ssh key: %w", err)
	}
	var passphrase string
	if o.SSHKeyPassphraseFile != "" {
		p, err := ReadSecretFile(o.SSHKeyPassphraseFile)
		if err != nil {
			return nil, err
		}
		passphrase = string(p)
	}
	keys, err := gitssh.NewPublicKeys(user, pem, passphrase)
	if err != nil {
		return nil, fmt.Errorf("parse ssh key %s: %w", o.SSHKeyFile, err)
	}
	keys.HostKeyCallbackHelper = hostKeys
	return keys, nil
}

// hostKeys verifies the server against KnownHostsFile (offering only the key types
// the file lists for the host, so the server cannot pick an unlisted one), or the
// default known_hosts files; an unknown host is refused unless InsecureIgnoreHostKey.
func (o Options) hostKeys(hostPort string) (gitssh.HostKeyCallbackHelper, error) {
	if o.InsecureIgnoreHostKey {
		return gitssh.HostKeyCallbackHelper{HostKeyCallback: gossh.InsecureIgnoreHostKey()}, nil
	}
	var files []string
	if o.KnownHostsFile != "" {
		if _, err := os.Stat(o.KnownHostsFile); err != nil {
			return gitssh.HostKeyCallbackHelper{}, fmt.Errorf("read known hosts: %w", err)
		}
		files = []string{o.KnownHostsFile}
	}
	db, err := gitssh.NewKnownHostsDb(files...)
	if err != nil {
		return gitssh.HostKeyCallbackHelper{}, fmt.Errorf("load known hosts: %w", err)
	}
	return gitssh.HostKeyCallbackHelper{
		HostKeyCallback:   db.HostKeyCallback(),
		HostKeyAlgorithms: db.HostKeyAlgorithms(hostPort),
	}, nil
}

// Validate checks that the options fit together, so that a misconfiguration fails
// at startup rather than at the first fetch. Files are not read here.
func (o Options) Validate() error {
	if o.URL == "" {
		return errors.New("repository URL is empty")
	}
	proto, err := o.protocol()
	if err != nil {
		return err
	}
	creds := o.UsernameFile != "" || o.PasswordFile != ""
	sshOnly := o.SSHKeyFile != "" || o.SSHKeyPassphraseFile != "" || o.KnownHostsFile != "" || o.InsecureIgnoreHostKey
	switch {
	case o.Auth != nil && (creds || sshOnly):
		return errors.New("source: set either Auth or the credential files, not both")
	case o.KnownHostsFile != "" && o.InsecureIgnoreHostKey:
		return errors.New("source: KnownHostsFile and InsecureIgnoreHostKey are exclusive")
	case sshOnly && proto != "ssh":
		return fmt.Errorf("source: SSH options given for a %s repository URL", proto)
	case o.UsernameFile != "" && o.PasswordFile == "" && proto != "ssh":
		return errors.New("source: UsernameFile needs PasswordFile")
	case creds && proto == "http":
		return errors.New("source: refusing to send credentials over plain http://; use https://")
	case creds && proto == "file":
		return errors.New("source: credentials given for a local repository")
	case o.CAFile != "" && proto != "https":
		return fmt.Errorf("source: CAFile given for a %s repository URL", proto)
	}
	return validateKeys(o.VerifyKeys)
}
