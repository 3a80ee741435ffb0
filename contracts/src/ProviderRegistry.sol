// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title ProviderRegistry
/// @notice The wallet's source of truth for whom it may pay and at what price: each AI provider publishes its
/// endpoint, the address it is paid at, and a price list per model. Registration is permissionless so any
/// provider can join; a curator may mark entries "verified" after checking who runs them.
/// @dev Every change emits an event, so a wallet can follow the registry from logs alone. String lengths are
/// capped because wallets display these fields and read whole price lists in one call.
contract ProviderRegistry is AccessControl {
    /// @notice May set or clear the "verified" mark.
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");

    uint256 public constant MAX_NAME_LENGTH = 64;
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    uint256 public constant MAX_MODEL_LENGTH = 128;
    uint256 public constant MAX_ENCODING_LENGTH = 32;

    struct Provider {
        address owner;
        string name;
        string endpoint;
        address payTo;
        bool verified;
        bool active;
    }

    /// @notice Prices are in AIT base units per 1,000,000 tokens; `encoding` names the tokenizer (e.g.
    /// "o200k_base") by which the provider meters, so a wallet can count tokens the same way before paying.
    struct ModelPrice {
        string model;
        string encoding;
        uint256 inputPricePerMillion;
        uint256 outputPricePerMillion;
        uint32 contextWindow;
        uint32 maxOutput;
    }

    uint256 private _providerCount;
    mapping(uint256 id => Provider) private _providers;
    mapping(uint256 id => ModelPrice[]) private _models;
    /// @dev Position + 1 of a model in `_models[id]`, keyed by the hash of its id; 0 means absent.
    mapping(uint256 id => mapping(bytes32 modelKey => uint256 position)) private _modelPositions;

    event ProviderRegistered(uint256 indexed id, address indexed owner, string name, string endpoint, address payTo);
    event ProviderUpdated(uint256 indexed id, string name, string endpoint, address payTo);
    event ProviderRemoved(uint256 indexed id);
    event ProviderOwnershipTransferred(uint256 indexed id, address indexed previousOwner, address indexed newOwner);
    event ModelPriceSet(
        uint256 indexed id,
        string model,
        string encoding,
        uint256 inputPricePerMillion,
        uint256 outputPricePerMillion,
        uint32 contextWindow,
        uint32 maxOutput
    );
    event ModelRemoved(uint256 indexed id, string model);
    event ProviderVerified(uint256 indexed id, bool verified);

    /// @param admin Receives DEFAULT_ADMIN_ROLE (to appoint further curators) and CURATOR_ROLE.
    constructor(address admin) {
        require(admin != address(0), "ProviderRegistry: admin is the zero address");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CURATOR_ROLE, admin);
    }

    modifier onlyProviderOwner(uint256 id) {
        _requireExists(id);
        require(_providers[id].owner == msg.sender, "ProviderRegistry: not the provider owner");
        require(_providers[id].active, "ProviderRegistry: provider removed");
        _;
    }

    // ----------------------------------------------------------------------------------------------------
    // Providers
    // ----------------------------------------------------------------------------------------------------

    /// @notice Registers the caller as the owner of a new provider entry. Ids start at 1 so that 0 can mean
    /// "no provider" in off-chain records.
    function registerProvider(string calldata name, string calldata endpoint, address payTo)
        external
        returns (uint256 id)
    {
        _requireValidDetails(name, endpoint, payTo);
        id = ++_providerCount;
        _providers[id] = Provider({
            owner: msg.sender, name: name, endpoint: endpoint, payTo: payTo, verified: false, active: true
        });
        emit ProviderRegistered(id, msg.sender, name, endpoint, payTo);
    }

    /// @notice Replaces name, endpoint and payTo. Any change to them clears "verified": the curator vouched
    /// for the old details, and a verified entry that could silently redirect payments or rename itself
    /// after another provider would make the mark worthless.
    function updateProvider(uint256 id, string calldata name, string calldata endpoint, address payTo)
        external
        onlyProviderOwner(id)
    {
        _requireValidDetails(name, endpoint, payTo);
        Provider storage p = _providers[id];
        bool changed = p.payTo != payTo || keccak256(bytes(p.endpoint)) != keccak256(bytes(endpoint))
            || keccak256(bytes(p.name)) != keccak256(bytes(name));
        p.name = name;
        p.endpoint = endpoint;
        p.payTo = payTo;
        emit ProviderUpdated(id, name, endpoint, payTo);
        if (changed && p.verified) {
            p.verified = false;
            emit ProviderVerified(id, false);
        }
    }

    /// @notice Deactivates the entry for good and drops its price list, so no wallet pays it any more.
    /// The id is never reused, keeping past payment records unambiguous.
    function removeProvider(uint256 id) external onlyProviderOwner(id) {
        Provider storage p = _providers[id];
        p.active = false;
        if (p.verified) {
            p.verified = false;
            emit ProviderVerified(id, false);
        }
        ModelPrice[] storage models = _models[id];
        for (uint256 i = models.length; i > 0; i--) {
            ModelPrice storage m = models[i - 1];
            emit ModelRemoved(id, m.model);
            delete _modelPositions[id][keccak256(bytes(m.model))];
            models.pop();
        }
        emit ProviderRemoved(id);
    }

    function transferProviderOwnership(uint256 id, address newOwner) external onlyProviderOwner(id) {
        require(newOwner != address(0), "ProviderRegistry: new owner is the zero address");
        address previous = _providers[id].owner;
        _providers[id].owner = newOwner;
        emit ProviderOwnershipTransferred(id, previous, newOwner);
    }

    /// @notice Marks an entry as checked (or withdraws the mark). Only curators; a removed entry cannot be
    /// verified.
    function setVerified(uint256 id, bool verified) external onlyRole(CURATOR_ROLE) {
        _requireExists(id);
        Provider storage p = _providers[id];
        require(p.active || !verified, "ProviderRegistry: provider removed");
        p.verified = verified;
        emit ProviderVerified(id, verified);
    }

    // ----------------------------------------------------------------------------------------------------
    // Prices
    // ----------------------------------------------------------------------------------------------------

    /// @notice Adds a model's price entry or replaces the existing one of the same model id.
    function setModelPrice(
        uint256 id,
        string calldata model,
        string calldata encoding,
        uint256 inputPricePerMillion,
        uint256 outputPricePerMillion,
        uint32 contextWindow,
        uint32 maxOutput
    ) external onlyProviderOwner(id) {
        require(bytes(model).length > 0, "ProviderRegistry: empty model");
        require(bytes(model).length <= MAX_MODEL_LENGTH, "ProviderRegistry: model too long");
        require(bytes(encoding).length > 0, "ProviderRegistry: empty encoding");
        require(bytes(encoding).length <= MAX_ENCODING_LENGTH, "ProviderRegistry: encoding too long");
        require(contextWindow > 0, "ProviderRegistry: context window is zero");
        require(maxOutput > 0 && maxOutput <= contextWindow, "ProviderRegistry: max output out of range");

        ModelPrice memory entry = ModelPrice({
            model: model,
            encoding: encoding,
            inputPricePerMillion: inputPricePerMillion,
            outputPricePerMillion: outputPricePerMillion,
            contextWindow: contextWindow,
            maxOutput: maxOutput
        });
        bytes32 key = keccak256(bytes(model));
        uint256 position = _modelPositions[id][key];
        if (position == 0) {
            _models[id].push(entry);
            _modelPositions[id][key] = _models[id].length;
        } else {
            _models[id][position - 1] = entry;
        }
        emit ModelPriceSet(
            id, model, encoding, inputPricePerMillion, outputPricePerMillion, contextWindow, maxOutput
        );
    }

    /// @notice Drops a model's price entry. The list order is not preserved (the last entry takes its place).
    function removeModel(uint256 id, string calldata model) external onlyProviderOwner(id) {
        bytes32 key = keccak256(bytes(model));
        uint256 position = _modelPositions[id][key];
        require(position != 0, "ProviderRegistry: unknown model");
        ModelPrice[] storage models = _models[id];
        uint256 last = models.length;
        if (position != last) {
            ModelPrice storage moved = models[last - 1];
            models[position - 1] = moved;
            _modelPositions[id][keccak256(bytes(moved.model))] = position;
        }
        models.pop();
        delete _modelPositions[id][key];
        emit ModelRemoved(id, model);
    }

    // ----------------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------------

    /// @notice The highest id handed out so far; ids run from 1 to providerCount() (removed ones included).
    function providerCount() external view returns (uint256) {
        return _providerCount;
    }

    function getProvider(uint256 id) external view returns (Provider memory) {
        _requireExists(id);
        return _providers[id];
    }

    function getModels(uint256 id) external view returns (ModelPrice[] memory) {
        _requireExists(id);
        return _models[id];
    }

    function getModel(uint256 id, string calldata model) external view returns (ModelPrice memory) {
        _requireExists(id);
        uint256 position = _modelPositions[id][keccak256(bytes(model))];
        require(position != 0, "ProviderRegistry: unknown model");
        return _models[id][position - 1];
    }

    // ----------------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------------

    function _requireExists(uint256 id) private view {
        require(id != 0 && id <= _providerCount, "ProviderRegistry: unknown provider");
    }

    function _requireValidDetails(string calldata name, string calldata endpoint, address payTo) private pure {
        require(bytes(name).length > 0, "ProviderRegistry: empty name");
        require(bytes(name).length <= MAX_NAME_LENGTH, "ProviderRegistry: name too long");
        require(bytes(endpoint).length > 0, "ProviderRegistry: empty endpoint");
        require(bytes(endpoint).length <= MAX_ENDPOINT_LENGTH, "ProviderRegistry: endpoint too long");
        require(payTo != address(0), "ProviderRegistry: payTo is the zero address");
    }
}
