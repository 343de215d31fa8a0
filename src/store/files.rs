//! Files that hold secrets (the database, its anchor and key, sign-in sessions, exported mail)
//! are ours alone: this module refuses ones that other users could read, write or swap, and
//! creates new ones owner-only whatever the umask, replacing them atomically.
//!
//! The checks follow sudo's `ts_secure_dir` and OpenSSH's `StrictModes`: the file must be a
//! regular file (not a symbolic link) owned by the user running pim, with no group or other
//! permissions; its directory must not be writable by others unless it has the sticky bit
//! (like `/tmp`), and must not belong to another (non-root) user.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{StoreError, StoreResult};

/// Owner-only permissions for files pim creates.
pub const FILE_MODE: u32 = 0o600;
/// Owner-only permissions for directories pim creates.
pub const DIR_MODE: u32 = 0o700;

fn unsafe_file(path: &Path, problem: String, fix: String) -> StoreError {
    StoreError::Unsafe {
        path: path.to_path_buf(),
        problem,
        fix,
    }
}

fn io_error(context: String) -> impl FnOnce(io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// Checks a file that may hold secrets, if it exists: not a symbolic link, owned by us, no
/// access for group or others. Returns its metadata (`None` when there is no such file).
pub fn check_file(path: &Path) -> StoreResult<Option<fs::Metadata>> {
    let Some(meta) = check_not_a_link(path)? else {
        return Ok(None);
    };
    check_owner_and_mode(path, &meta)?;
    Ok(Some(meta))
}

/// The file's own metadata, refusing a symbolic link (`None` when there is no such file).
pub fn check_not_a_link(path: &Path) -> StoreResult<Option<fs::Metadata>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(format!("checking {}", path.display()))(e)),
    };
    if meta.file_type().is_symlink() {
        let target = fs::canonicalize(path)
            .map_or_else(|_| "the real file".to_owned(), |t| t.display().to_string());
        return Err(unsafe_file(
            path,
            "is a symbolic link (whoever can change the link can swap the file)".into(),
            format!("use the file itself: {target}"),
        ));
    }
    Ok(Some(meta))
}

#[cfg(unix)]
fn check_owner_and_mode(path: &Path, meta: &fs::Metadata) -> StoreResult<()> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(unsafe_file(
            path,
            format!(
                "belongs to another user (uid {}), who could change it behind pim's back",
                meta.uid()
            ),
            format!(
                "run pim as that user, or take it over with `chown {me} {}`",
                path.display()
            ),
        ));
    }
    let mode = meta.mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        return Err(unsafe_file(
            path,
            format!("can be read or written by other users (mode {mode:03o})"),
            format!("run `chmod 600 {}`", path.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(_path: &Path, _meta: &fs::Metadata) -> StoreResult<()> {
    Ok(())
}

/// Checks the directory a secret file lives in: others must not be able to replace files in
/// it (group/other-writable without the sticky bit), and it must not belong to another user
/// (root's directories are fine).
#[cfg(unix)]
pub fn check_dir(dir: &Path) -> StoreResult<()> {
    use std::os::unix::fs::MetadataExt;
    let shown = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let meta = match fs::metadata(shown) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(format!("checking {}", shown.display()))(e)),
    };
    let mode = meta.mode();
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(unsafe_file(
            shown,
            format!(
                "is a directory other users can write to (mode {:03o}), so they could replace the files in it",
                mode & 0o777
            ),
            format!(
                "run `chmod go-w {}`, or keep the database in a directory of your own",
                shown.display()
            ),
        ));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Err(unsafe_file(
            shown,
            format!(
                "is a directory that belongs to another user (uid {}), who could replace the files in it",
                meta.uid()
            ),
            "keep the database in a directory of your own".into(),
        ));
    }
    Ok(())
}

/// Directory checks need Unix permissions.
#[cfg(not(unix))]
pub fn check_dir(_dir: &Path) -> StoreResult<()> {
    Ok(())
}

/// The directory `path` is in (`.` for a bare file name).
pub fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates `dir` and any missing parents, each owner-only (0700) whatever the umask; checks
/// the directory when it already existed.
pub fn create_dir_private(dir: &Path) -> StoreResult<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    for d in missing.iter().rev() {
        match fs::create_dir(d) {
            Ok(()) => set_mode(d, DIR_MODE)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error(format!("creating {}", d.display()))(e)),
        }
    }
    check_dir(dir)
}

/// Sets permission bits explicitly (the umask only applies at creation).
#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) -> StoreResult<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_error(format!(
        "setting permissions of {}",
        path.display()
    )))
}

/// Permission bits exist only on Unix.
#[cfg(not(unix))]
pub fn set_mode(_path: &Path, _mode: u32) -> StoreResult<()> {
    Ok(())
}

/// Creates a new file (never an existing one) with owner-only permissions.
pub fn create_file_private(path: &Path) -> StoreResult<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let file = options
        .open(path)
        .map_err(io_error(format!("creating {}", path.display())))?;
    set_mode(path, FILE_MODE)?;
    Ok(file)
}

/// Replaces `path` with `bytes` atomically and durably: a private temporary file beside it,
/// synced, renamed over it, and the directory synced, so a crash leaves the old or the new
/// content, never a mix.
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> StoreResult<()> {
    let dir = parent_of(path);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let written = (|| {
        let mut file = create_file_private(&tmp)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(io_error(format!("writing {}", tmp.display())))?;
        crate::fault::point("file.before_rename");
        fs::rename(&tmp, path).map_err(io_error(format!("replacing {}", path.display())))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_dir(&dir);
    Ok(())
}

/// Overwrites `bytes` at `offset` of an existing private file (checked first), without
/// syncing: for data whose loss in a crash is harmless.
pub fn write_in_place(path: &Path, offset: u64, bytes: &[u8]) -> StoreResult<()> {
    check_file(path)?;
    let context = || format!("writing {}", path.display());
    let file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io_error(context())(e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(bytes, offset)
            .map_err(|e| io_error(context())(e))
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(bytes))
            .map_err(|e| io_error(context())(e))
    }
}

/// Makes a rename in `dir` durable (best effort: not every platform can sync a directory).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    #[test]
    fn loose_files_links_and_directories_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        fs::write(&file, "x").unwrap();
        for loose in [0o644, 0o640, 0o660, 0o604, 0o606] {
            set_mode(&file, loose).unwrap();
            let err = check_file(&file).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{loose:o}: {err}");
        }
        set_mode(&file, 0o600).unwrap();
        assert!(check_file(&file).unwrap().is_some());

        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let err = check_file(&link).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");

        let open_dir = dir.path().join("shared");
        fs::create_dir(&open_dir).unwrap();
        set_mode(&open_dir, 0o777).unwrap();
        let err = check_dir(&open_dir).unwrap_err().to_string();
        assert!(err.contains("chmod go-w"), "{err}");
        set_mode(&open_dir, 0o1777).unwrap();
        check_dir(&open_dir).expect("a sticky directory like /tmp is fine");
        set_mode(&open_dir, 0o775).unwrap();
        assert!(check_dir(&open_dir).is_err(), "group-writable");
        set_mode(&open_dir, 0o755).unwrap();
        check_dir(&open_dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn created_files_and_directories_are_private_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir_private(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&dir.path().join(d)), 0o700, "{d}");
        }
        let file = deep.join("anchor");
        write_atomic_private(&file, b"one").unwrap();
        write_atomic_private(&file, b"two").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"two");
        assert_eq!(mode(&file), 0o600);
        let leftovers: Vec<_> = fs::read_dir(&deep).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}
