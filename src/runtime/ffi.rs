//! The few ONNX Runtime C calls the `ort` crate does not expose with the
//! features advisor builds it with: the library's version string, the list of
//! execution providers, and appending the CUDA provider.

use anyhow::{anyhow, Context};
use ort::AsPointer;
use std::ffi::{c_char, c_int, CStr, CString};
use std::path::Path;
use std::ptr;

/// Opens the library file and asks it for its version string.
///
/// This runs before `ort` loads the file, so that a file that is not a
/// library, or not ONNX Runtime, gives a plain error instead of reaching
/// `ort`'s assertions.
pub fn library_version(path: &Path) -> anyhow::Result<String> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .with_context(|| format!("{}: path contains a NUL byte", path.display()))?;
    // SAFETY: dlopen/dlsym are called with valid NUL-terminated strings; the
    // handle is deliberately never closed because ort keeps the same library
    // loaded for the life of the process.
    unsafe {
        let handle = libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        if handle.is_null() {
            return Err(anyhow!(
                "{}: not a loadable library ({})",
                path.display(),
                dl_error()
            ));
        }
        let sym = libc::dlsym(handle, c"OrtGetApiBase".as_ptr());
        if sym.is_null() {
            return Err(anyhow!(
                "{}: not an ONNX Runtime library (no OrtGetApiBase symbol)",
                path.display()
            ));
        }
        let get_base: unsafe extern "C" fn() -> *const ort::sys::OrtApiBase =
            std::mem::transmute(sym);
        let base = get_base();
        if base.is_null() {
            return Err(anyhow!(
                "{}: OrtGetApiBase returned nothing",
                path.display()
            ));
        }
        let version = ((*base).GetVersionString)();
        if version.is_null() {
            return Err(anyhow!("{}: no version string", path.display()));
        }
        Ok(CStr::from_ptr(version).to_string_lossy().into_owned())
    }
}

/// The last dlerror message.
fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a valid C string owned by libc.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() {
            "unknown dlopen error".into()
        } else {
            CStr::from_ptr(e).to_string_lossy().into_owned()
        }
    }
}

/// Turns an `OrtStatus` into a result, releasing it.
fn check(status: ort::sys::OrtStatusPtr) -> anyhow::Result<()> {
    if status.0.is_null() {
        return Ok(());
    }
    let api = ort::api();
    // SAFETY: the status is non-null and owned by us until released.
    let msg = unsafe {
        let m = (api.GetErrorMessage)(status.0);
        let s = if m.is_null() {
            "unknown ONNX Runtime error".to_string()
        } else {
            CStr::from_ptr(m).to_string_lossy().into_owned()
        };
        (api.ReleaseStatus)(status.0);
        s
    };
    Err(anyhow!(msg))
}

/// The execution providers the loaded library was built with, e.g.
/// `["CPUExecutionProvider", "CUDAExecutionProvider"]`.
pub fn available_providers() -> anyhow::Result<Vec<String>> {
    let api = ort::api();
    let mut list: *mut *mut c_char = ptr::null_mut();
    let mut n: c_int = 0;
    // SAFETY: out-pointers are valid; the list is released below.
    check(unsafe { (api.GetAvailableProviders)(&mut list, &mut n) })?;
    if list.is_null() {
        return Ok(Vec::new());
    }
    let mut names = Vec::with_capacity(n.max(0) as usize);
    for i in 0..n.max(0) as usize {
        // SAFETY: ORT returned `n` valid C strings.
        let name = unsafe { CStr::from_ptr(*list.add(i)) };
        names.push(name.to_string_lossy().into_owned());
    }
    // SAFETY: releasing exactly what ORT allocated.
    check(unsafe { (api.ReleaseAvailableProviders)(list, n) })?;
    Ok(names)
}

/// Appends the CUDA execution provider (device 0) to a session builder.
pub fn append_cuda(builder: &mut ort::session::builder::SessionBuilder) -> anyhow::Result<()> {
    let api = ort::api();
    let mut options: *mut ort::sys::OrtCUDAProviderOptionsV2 = ptr::null_mut();
    // SAFETY: out-pointer valid; options released after use.
    check(unsafe { (api.CreateCUDAProviderOptions)(&mut options) })?;
    // SAFETY: the builder's pointer is valid for the builder's lifetime.
    let result = check(unsafe {
        (api.SessionOptionsAppendExecutionProvider_CUDA_V2)(builder.ptr_mut(), options)
    });
    // SAFETY: created above.
    unsafe { (api.ReleaseCUDAProviderOptions)(options) };
    result
}
