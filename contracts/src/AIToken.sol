// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title AI Token (AIT)
/// @notice The one token the wallet holds and spends across AI providers. Besides plain ERC-20 and EIP-2612
/// permits it implements EIP-3009 (gasless transfers by signed authorization) because that is what x402's
/// `exact` scheme settles with, and a metered variant, `receiveWithAuthorizationUpTo`, with which a payee
/// collects at most a signed maximum for work whose final size is only known afterwards.
/// @dev Revert reasons of the EIP-3009 paths are worded exactly like USDC's FiatTokenV2 so that x402
/// facilitators, which classify failures by those strings, report the precise cause.
contract AIToken is ERC20, ERC20Permit, AccessControl {
    /// @notice May create new tokens: the TokenSale contract and, on a devnet, the faucet.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice EIP-3009 typehashes, identical to USDC's so any EIP-3009 client signs for this token unchanged.
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    /// @notice Typehash of the metered authorization. Its own type name means a signature made for one of the
    /// EIP-3009 kinds can never be replayed as this kind, or the other way round.
    bytes32 public constant RECEIVE_UP_TO_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveUpToAuthorization(address from,address to,uint256 maxValue,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @dev One nonce space for every authorization kind, so a single cancel or a single use retires a nonce
    /// whatever was signed with it, and a payer can check any payment with `authorizationState` alone.
    mapping(address authorizer => mapping(bytes32 nonce => bool used)) private _authorizationStates;

    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @param admin Receives DEFAULT_ADMIN_ROLE and decides who may mint; no one can mint until it grants
    /// MINTER_ROLE, so the supply starts at zero and only grows through an accountable minter.
    constructor(address admin) ERC20("AI Token", "AIT") ERC20Permit("AI Token") {
        require(admin != address(0), "AIToken: admin is the zero address");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice The EIP-712 domain version. Exposed because x402 facilitators read `version()` to tell a
    /// domain mismatch apart from other failures.
    function version() external pure returns (string memory) {
        return "1";
    }

    /// @notice Creates `amount` base units for `to`. Only holders of MINTER_ROLE.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Whether `nonce` of `authorizer` has been used or canceled (for every authorization kind).
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationStates[authorizer][nonce];
    }

    // ----------------------------------------------------------------------------------------------------
    // EIP-3009: transferWithAuthorization (anyone may submit; the signature fixes every field)
    // ----------------------------------------------------------------------------------------------------

    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, abi.encodePacked(r, s, v)
        );
    }

    /// @notice The `bytes signature` form, which also accepts ERC-1271 signatures of contract wallets.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    // ----------------------------------------------------------------------------------------------------
    // EIP-3009: receiveWithAuthorization (only the payee may submit, so no one can front-run it into a
    // transfer the payee's own contract logic never saw)
    // ----------------------------------------------------------------------------------------------------

    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        require(to == msg.sender, "FiatTokenV2: caller must be the payee");
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, abi.encodePacked(r, s, v)
        );
    }

    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        require(to == msg.sender, "FiatTokenV2: caller must be the payee");
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    // ----------------------------------------------------------------------------------------------------
    // EIP-3009: cancelAuthorization (retires an unused nonce, whichever kind was signed with it)
    // ----------------------------------------------------------------------------------------------------

    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _cancelAuthorization(authorizer, nonce, abi.encodePacked(r, s, v));
    }

    function cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) external {
        _cancelAuthorization(authorizer, nonce, signature);
    }

    // ----------------------------------------------------------------------------------------------------
    // Metered settlement
    // ----------------------------------------------------------------------------------------------------

    /// @notice Collects `value` (at most the signed `maxValue`) from `from`. The payer signs only a ceiling;
    /// the payee, the only permitted caller, settles what the work actually cost. Restricting the caller to
    /// the payee means any overcharge traces to the one key that was paid, and no third party can settle an
    /// open authorization at its maximum.
    /// @dev A `value` of 0 is allowed and still consumes the nonce, so a task that produced nothing closes
    /// its authorization on chain instead of leaving it open until it expires.
    function receiveWithAuthorizationUpTo(
        address from,
        address to,
        uint256 maxValue,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        require(to == msg.sender, "FiatTokenV2: caller must be the payee");
        require(value <= maxValue, "AIToken: value exceeds authorized maximum");
        _requireValidAuthorization(from, nonce, validAfter, validBefore);
        bytes32 structHash = keccak256(
            abi.encode(RECEIVE_UP_TO_AUTHORIZATION_TYPEHASH, from, to, maxValue, validAfter, validBefore, nonce)
        );
        _requireValidSignature(from, structHash, signature);
        _markAuthorizationAsUsed(from, nonce);
        _transfer(from, to, value);
    }

    // ----------------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------------

    function _transferWithAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) private {
        _requireValidAuthorization(from, nonce, validAfter, validBefore);
        _requireValidSignature(
            from, keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce)), signature
        );
        _markAuthorizationAsUsed(from, nonce);
        _transfer(from, to, value);
    }

    function _cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) private {
        _requireUnusedAuthorization(authorizer, nonce);
        _requireValidSignature(
            authorizer, keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)), signature
        );
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /// @dev validAfter and validBefore are both exclusive, as in EIP-3009.
    function _requireValidAuthorization(address authorizer, bytes32 nonce, uint256 validAfter, uint256 validBefore)
        private
        view
    {
        require(block.timestamp > validAfter, "FiatTokenV2: authorization is not yet valid");
        require(block.timestamp < validBefore, "FiatTokenV2: authorization is expired");
        _requireUnusedAuthorization(authorizer, nonce);
    }

    function _requireUnusedAuthorization(address authorizer, bytes32 nonce) private view {
        require(!_authorizationStates[authorizer][nonce], "FiatTokenV2: authorization is used or canceled");
    }

    /// @dev SignatureChecker verifies ECDSA for accounts without code and ERC-1271 for contract wallets;
    /// ECDSA.tryRecover inside it rejects malleable (high-s) signatures and the zero address.
    function _requireValidSignature(address signer, bytes32 structHash, bytes memory signature) private view {
        require(
            SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature),
            "FiatTokenV2: invalid signature"
        );
    }

    function _markAuthorizationAsUsed(address authorizer, bytes32 nonce) private {
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationUsed(authorizer, nonce);
    }

    /// @dev Insufficient balance reverts with the classic string reason rather than OpenZeppelin's custom
    /// error, because x402 facilitators and most wallets recognise the string and not the selector.
    function _update(address from, address to, uint256 value) internal override {
        require(from == address(0) || balanceOf(from) >= value, "ERC20: transfer amount exceeds balance");
        super._update(from, to, value);
    }
}
